"""Attendance: joins/leaves from Zoom webhooks, minutes per person, CSV export, certificates (PDF)."""

# No re-exports: the certificate worker processes import orchestrator.attendance.certificate, and
# everything imported here would load (the store's models, SQLAlchemy) in each of them.
