"""How the dispatcher sends (from settings): a small value the commands build without the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from orchestrator.mail import outbox


@dataclass(frozen=True)
class DispatchConfig:
    """How the dispatcher sends (from settings)."""

    sender: str
    reply_to: str | None = None
    workers: int = 4
    rate_per_minute: float | None = None
    lease: timedelta = timedelta(minutes=5)
    batch_size: int = 200
    max_attempts: int = 8
    message_id_domain: str | None = None
    # Messages of this process allowed between their final SMTP dot and their "sent" commit at the
    # same time: the most duplicates one crash can cause. 1 caps throughput at one message per
    # reply round trip of the final dot (about 20/s at 50 ms); raise it for a distant provider.
    max_unconfirmed: int = 1

    @property
    def domain(self) -> str:
        return self.message_id_domain or outbox.domain_of(self.sender)
