"""Configuration of the Zoom emulator: account plan, limits, credentials, host user.

Defaults follow Zoom's documented limits (rate limits by plan and category, 4,999 registrants per
meeting, 3 add-registrant calls per registrant and day, 100 meeting create/update calls per user and
day, 100 pre-assigned breakout rooms with up to 1,000 participants). Tests lower them to reach the
limits quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Plan = Literal["free", "pro", "business", "enterprise"]


class Category(StrEnum):
    """Zoom's rate-limit categories ("Rate Limit Label" in the API reference)."""

    LIGHT = "Light"
    MEDIUM = "Medium"
    HEAVY = "Heavy"


@dataclass(frozen=True)
class CategoryLimit:
    """Requests per second, and per UTC day where the plan has a daily quota."""

    per_second: int
    per_day: int | None = None


# Zoom's published limits (developers.zoom.us "Rate limits"). Business+ covers business/enterprise.
PLAN_LIMITS: dict[str, dict[Category, CategoryLimit]] = {
    "free": {
        Category.LIGHT: CategoryLimit(4, 6000),
        Category.MEDIUM: CategoryLimit(2, 2000),
        Category.HEAVY: CategoryLimit(1, 1000),
    },
    "pro": {
        Category.LIGHT: CategoryLimit(30),
        Category.MEDIUM: CategoryLimit(20),
        Category.HEAVY: CategoryLimit(10, 30000),
    },
    "business": {
        Category.LIGHT: CategoryLimit(80),
        Category.MEDIUM: CategoryLimit(60),
        Category.HEAVY: CategoryLimit(40, 60000),
    },
}
PLAN_LIMITS["enterprise"] = PLAN_LIMITS["business"]


@dataclass
class EmulatorConfig:
    """Behaviour of one emulated Zoom account.

    ``account_id``/``client_id``/``client_secret``: when all are ``None`` the token endpoint accepts
    any credentials (a sandbox); when set, other values are refused like Zoom refuses them.
    ``enforce_rate_limits``: per-second and daily quotas per category answered with 429 (measured
    on the injected clock, so a ``FrozenClock`` test that never advances time can hit them).
    """

    plan: Plan = "pro"
    enforce_rate_limits: bool = True
    rate_limits: dict[Category, CategoryLimit] | None = None  # overrides the plan's table
    registrant_cap: int = 4999
    registrant_daily_adds: int = 3  # add-registrant calls per registrant (e-mail), meeting and UTC day
    meeting_daily_writes: int = 100  # create/update meeting calls per host user and UTC day
    registrant_daily_status_changes: int = 10  # status updates per registrant, meeting and UTC day
    custom_questions_max: int = 20  # registration questions: Zoom documents no caps; generous bounds
    custom_question_title_max: int = 255
    custom_answers_max: int = 50
    custom_answer_max: int = 128  # a registrant's answer (value) is limited to 128 characters
    batch_max: int = 30
    status_update_max: int = 30
    page_size_max: int = 300
    page_token_ttl_seconds: int = 15 * 60
    token_lifetime_seconds: int = 3599
    max_breakout_rooms: int = 100
    max_preassigned_participants: int = 1000
    max_participants_per_room: int | None = None  # Zoom documents no per-room cap for pre-assignment
    max_room_name_length: int | None = None  # the OpenAPI document gives no maxLength for room names
    account_id: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    host_email: str = "host@example.com"
    host_first_name: str = "Emulated"
    host_last_name: str = "Host"
    host_timezone: str = "Europe/Berlin"
    join_base_url: str = "https://emulator.zoom.invalid"
    request_log_max: int = 10000

    def limit_for(self, category: Category) -> CategoryLimit:
        """The quota that applies to ``category`` on this account."""
        table = self.rate_limits or PLAN_LIMITS[self.plan]
        return table[category]

    @property
    def checks_credentials(self) -> bool:
        return any(v is not None for v in (self.account_id, self.client_id, self.client_secret))
