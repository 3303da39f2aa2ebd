"""Read the approval status of a registration report (Zoom's "Approval Status" column).

Zoom's registration report lists every registrant with ``approved``, ``pending`` or ``denied``. The
German web portal's words (``genehmigt``, ``ausstehend``, ``abgelehnt``) are assumed, as are the
words other tools use for the same states.
"""

from __future__ import annotations

from typing import Literal

from orchestrator.registrants.parse_text import fold
from orchestrator.registrants.parse_values import ValueProblem

Approval = Literal["approved", "pending", "denied"]

_STATUSES: dict[str, Approval] = {
    "approved": "approved", "approve": "approved", "genehmigt": "approved", "zugelassen": "approved",
    "freigegeben": "approved", "bestaetigt": "approved", "confirmed": "approved",
    "registered": "approved", "angemeldet": "approved",
    "pending": "pending", "pendingapproval": "pending", "ausstehend": "pending", "offen": "pending",
    "wartend": "pending", "genehmigungausstehend": "pending", "awaitingapproval": "pending",
    "denied": "denied", "deniedblocked": "denied", "blocked": "denied", "rejected": "denied",
    "abgelehnt": "denied", "gesperrt": "denied", "abgelehntgesperrt": "denied",
}  # fmt: skip


def parse_approval(raw: str) -> Approval | None:
    """``approved``/``pending``/``denied`` (any case, German or English); empty → ``None``.

    Raises :class:`ValueProblem` ``bad_approval_status`` for any other value.
    """
    key = fold(raw)
    if not key:
        return None
    if key in _STATUSES:
        return _STATUSES[key]
    raise ValueProblem("bad_approval_status")
