"""The field checks every way into the store applies to a person: import, Zoom webhook, reconcile.

The import (:mod:`orchestrator.registrants.records`) checks each field with
:func:`single_line_problem` and :func:`~orchestrator.registrants.parse_values.parse_email`; people
that Zoom tells us about (a ``registration_created`` notification, a registrant found in Zoom's
listing) go through :func:`check_zoom_person`, which applies the same two checks. A refusal names
the field and a reason code, never the value (logs and stored notes carry no personal data).
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestrator.registrants.parse_text import single_line_problem
from orchestrator.registrants.parse_values import Email, ValueProblem, parse_email

__all__ = ["PersonRefused", "ZoomPerson", "check_zoom_person", "single_line_problem"]


class PersonRefused(ValueError):
    """A field cannot be stored: ``field`` (e.g. ``first_name``), ``code`` (e.g. ``control_characters``)."""

    def __init__(self, field: str, code: str, detail: str = "") -> None:
        super().__init__(f"{field}: {code}")
        self.field = field
        self.code = code
        self.detail = detail

    @property
    def reason(self) -> str:
        """The most specific reason code (``formula_prefix`` rather than ``invalid_email``)."""
        return self.detail or self.code

    @property
    def note(self) -> str:
        """A short, value-free note for the store and logs (``first_name:control_characters``)."""
        return f"{self.field}:{self.reason}"


@dataclass(frozen=True, slots=True)
class ZoomPerson:
    """The checked fields of a person Zoom registered: names stripped, e-mail parsed."""

    email: Email
    first_name: str
    last_name: str


def check_zoom_person(email: str, first_name: str, last_name: str) -> ZoomPerson:
    """Check the fields of a registrant from Zoom as the import checks a row; raise :class:`PersonRefused`.

    An empty first name is allowed (the caller falls back to the address's local part): Zoom
    requires one on its page, and the registrant is on Zoom already.
    """
    for field, value in (("email", email), ("first_name", first_name), ("last_name", last_name)):
        problem = single_line_problem(value)
        if problem is not None:
            raise PersonRefused(field, problem)
    try:
        parsed = parse_email(email)
    except ValueProblem as problem:
        raise PersonRefused(
            "email", problem.code, problem.detail if problem.detail in _SAFE_DETAILS else ""
        ) from None
    return ZoomPerson(parsed, first_name.strip(), last_name.strip())


# Details that name a rule, not the value; email_validator's own messages may quote the address.
_SAFE_DETAILS = frozenset({"formula_prefix", "non_ascii_local_part"})
