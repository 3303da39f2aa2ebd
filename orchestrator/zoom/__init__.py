"""Zoom API client: Server-to-Server OAuth, pacing, retries, typed errors and domain calls.

Build it from collaborators (nothing connects at import time)::

    tokens = TokenProvider(account_id, client_id, secret, oauth_url, session, clock)
    http = ZoomHttp(api_url, tokens, ZoomRateLimiter("pro", clock), clock=clock, session=session)
    zoom = ZoomClient(http, DailyLimits(clock))
"""

from orchestrator.zoom.client import MAX_BATCH_REGISTRANTS, MAX_PAGE_SIZE, ZoomClient, chunked, paginate
from orchestrator.zoom.errors import (
    AuthError,
    Conflict,
    NotFound,
    PaginationLimitExceeded,
    RateLimited,
    ValidationFailed,
    ZoomError,
    ZoomTimeout,
    ZoomUnavailable,
)
from orchestrator.zoom.http import DEFAULT_API_URL, RetryPolicy, ZoomHttp, summarize_response
from orchestrator.zoom.oauth import DEFAULT_OAUTH_URL, TokenProvider
from orchestrator.zoom.ratelimit import AccountPlan, DailyLimits, RateCategory, ZoomRateLimiter, category_for

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_OAUTH_URL",
    "MAX_BATCH_REGISTRANTS",
    "MAX_PAGE_SIZE",
    "AccountPlan",
    "AuthError",
    "Conflict",
    "DailyLimits",
    "NotFound",
    "PaginationLimitExceeded",
    "RateCategory",
    "RateLimited",
    "RetryPolicy",
    "TokenProvider",
    "ValidationFailed",
    "ZoomClient",
    "ZoomError",
    "ZoomHttp",
    "ZoomRateLimiter",
    "ZoomTimeout",
    "ZoomUnavailable",
    "category_for",
    "chunked",
    "paginate",
    "summarize_response",
]
