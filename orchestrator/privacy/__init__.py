"""Personal data: export (``person export``), forget (``person forget``), retention purge."""

from orchestrator.privacy.export import export_person
from orchestrator.privacy.forget import ForgetOutcome, forget_person
from orchestrator.privacy.retention import PurgeOutcome, purge_expired

__all__ = ["ForgetOutcome", "PurgeOutcome", "export_person", "forget_person", "purge_expired"]
