"""One breakout apply per event at a time (CLI, scheduled job, other instances): a store lease."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from orchestrator.clock import Clock
from orchestrator.db.lease import Lease, LeaseInfo, hold
from orchestrator.db.models import Event
from orchestrator.db.store import Store
from orchestrator.i18n import _


def apply_lease_name(event_id: int) -> str:
    return f"breakouts-apply:{event_id}"


@contextmanager
def apply_lease(store: Store, clock: Clock, event: Event, purpose: str) -> Iterator[Lease]:
    """Hold the event's breakout-apply lease; ``LeaseBusy`` (exit code 1) when another apply runs.

    An apply is one write and its read-back, far shorter than the lease, so it is not renewed.
    """
    key = event.key

    def busy(info: LeaseInfo) -> str:
        return _(
            "Another breakout apply of event '{event}' is running ({holder}). Nothing was sent; run the "
            "command again when it has finished.",
            event=key,
            holder=info.describe(),
        )

    with hold(
        store.sessions,
        apply_lease_name(event.id),
        clock=clock,
        purpose=purpose,
        busy_message=busy,
        lost_message=_("The breakout apply of event '{event}' lost its lease to another apply.", event=key),
    ) as lease:
        yield lease
