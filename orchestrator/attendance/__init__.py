"""Attendance: joins/leaves from Zoom webhooks, minutes per person, CSV export, certificates (PDF)."""

from orchestrator.attendance.certificates import CertificateAttachment, certificate_attachments
from orchestrator.attendance.minutes import AttendanceReport, compute_attendance, default_min_minutes

__all__ = [
    "AttendanceReport",
    "CertificateAttachment",
    "certificate_attachments",
    "compute_attendance",
    "default_min_minutes",
]
