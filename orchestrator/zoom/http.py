"""The HTTP layer of the Zoom client: auth header, timeouts, pacing, retries and typed errors.

``ZoomHttp.request()`` sends one logical call and returns Zoom's JSON answer. It
- paces every attempt through the :class:`~orchestrator.zoom.ratelimit.ZoomRateLimiter`,
- re-fetches the access token once when Zoom answers 401 with code 124 (invalid/expired token),
- retries 429 as Zoom asks (``Retry-After`` / ``X-RateLimit-*``) or with jittered backoff, but
  never a daily limit,
- retries 5xx, timeouts and connection errors only where repeating the call is safe (idempotent
  methods, or call sites that say ``idempotent=True``) or where the request never left us,
- maps everything else to :mod:`orchestrator.zoom.errors`.
Sleeping goes through the injected clock, so tests never wait.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests
from urllib3.exceptions import NewConnectionError

from orchestrator.clock import Clock
from orchestrator.i18n import _
from orchestrator.zoom.errors import (
    INVALID_ACCESS_TOKEN,
    AuthError,
    Conflict,
    NotFound,
    RateLimited,
    ValidationFailed,
    ZoomError,
    ZoomTimeout,
    ZoomUnavailable,
)
from orchestrator.zoom.oauth import TokenProvider
from orchestrator.zoom.ratelimit import ZoomRateLimiter, next_utc_midnight

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.zoom.us/v2"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Callback for the audit log: (method, path without query, HTTP status, safe response summary).
WriteHook = Callable[[str, str, int, dict[str, Any]], None]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to retry. Waits are bounded by ``max_attempts`` and ``max_total_wait``."""

    max_attempts: int = 5
    max_total_wait: float = 120.0
    backoff_base: float = 1.0
    backoff_max: float = 30.0
    retry_statuses: frozenset[int] = frozenset({500, 502, 503, 504})
    # PATCH is here because Zoom's PATCH endpoints set absolute state (repeating changes nothing).
    idempotent_methods: frozenset[str] = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"})
    # Seedable for tests; full jitter draws uniformly from [0, capped exponential backoff].
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff before attempt ``attempt + 1`` (``attempt`` ≥ 1)."""
        ceiling = min(self.backoff_max, self.backoff_base * 2 ** (attempt - 1))
        return self.rng.uniform(0, ceiling)

    def is_idempotent(self, method: str) -> bool:
        return method.upper() in self.idempotent_methods


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value: seconds, an HTTP date or an ISO 8601 time."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    when: datetime | None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        when = None
    if when is None:
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return None
    if when.tzinfo is None:
        return None
    return max((when - now).total_seconds(), 0.0)


@dataclass(frozen=True)
class RateLimitAdvice:
    """How to react to one 429 answer."""

    daily: bool
    wait: float | None  # None: nothing in the answer says how long; use backoff


def advise_429(headers: Mapping[str, str], message: str, now: datetime) -> RateLimitAdvice:
    """Read Zoom's 429 answer: ``Retry-After``, ``X-RateLimit-Type/-Remaining/-Limit``, message."""
    limit_type = (headers.get("X-RateLimit-Type") or "").strip().lower()
    # Zoom sometimes omits the type header on daily limits; its message then says "daily rate limit".
    daily = limit_type == "daily-limit" or "daily rate limit" in message.lower()
    wait = parse_retry_after(headers.get("Retry-After"), now)
    if daily:
        until_reset = (next_utc_midnight(now) - now).total_seconds()
        return RateLimitAdvice(True, wait if wait is not None else until_reset)
    if wait is None and (headers.get("X-RateLimit-Remaining") or "").strip() == "0":
        # Per-second quota used up: the window turns over within a second.
        wait = 1.0
    return RateLimitAdvice(False, wait)


class ZoomHttp:
    """Sends Zoom API calls with auth, pacing, retries and typed errors. Thread-safe."""

    def __init__(  # noqa: PLR0913  the HTTP layer's collaborators, wired once by the app
        self,
        base_url: str,
        token_provider: TokenProvider,
        limiter: ZoomRateLimiter,
        *,
        clock: Clock,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        timeout: tuple[float, float] = (5, 30),
        on_write: WriteHook | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._tokens = token_provider
        self._limiter = limiter
        self.retry = retry or RetryPolicy()
        self._clock = clock
        self._session = session or requests.Session()
        self.timeout = timeout
        self.on_write = on_write

    def request(
        self,
        method: str,
        path_template: str,
        *,
        path_params: Mapping[str, object] | None = None,
        params: Mapping[str, object] | None = None,
        json: object = None,
        idempotent: bool | None = None,
    ) -> dict[str, Any]:
        """Call Zoom and return its JSON answer (``{}`` for 204 / empty answers).

        ``idempotent`` overrides the policy's per-method default: ``True`` lets a POST be retried
        after an ambiguous failure (only where repeating it is harmless).
        """
        method = method.upper()
        path = self._fill(path_template, path_params or {})
        call = _Call(method, path_template, path)
        safe = self.retry.is_idempotent(method) if idempotent is None else idempotent
        attempt = 0
        waited = 0.0
        reauthenticated = False
        while True:
            attempt += 1
            self._limiter.acquire_for(method, path_template)
            try:
                token = self._tokens.token()
            except ZoomUnavailable as exc:  # token service down: nothing was sent to the API yet
                waited = self._wait_or_raise(exc, call, attempt, waited, None)
                continue
            try:
                response = self._send(method, path, token, params, json, call, attempt)
            except ZoomUnavailable as exc:
                if exc.ambiguous and not safe:
                    raise
                waited = self._wait_or_raise(exc, call, attempt, waited, None)
                continue
            status = response.status_code
            if 200 <= status < 300:
                body = _json_body(response)
                if method in WRITE_METHODS:
                    self._notify_write(method, path, status, body)
                return body
            code, message = _error_fields(response)
            message = message.replace(token, "[redacted]")
            if status == 401 and code == INVALID_ACCESS_TOKEN and not reauthenticated:
                # The token expired early or was replaced: fetch one new token and repeat once.
                self._tokens.invalidate(token)
                reauthenticated = True
                attempt -= 1
                continue
            error = self._error_for(call, response, code, message)
            if isinstance(error, RateLimited):
                if error.daily:
                    raise error
                waited = self._wait_or_raise(error, call, attempt, waited, error.retry_after)
                continue
            if isinstance(error, ZoomUnavailable) and safe and status in self.retry.retry_statuses:
                waited = self._wait_or_raise(error, call, attempt, waited, None)
                continue
            raise error

    def _fill(self, template: str, path_params: Mapping[str, object]) -> str:
        return template.format_map({k: quote(str(v), safe="") for k, v in path_params.items()})

    def _send(
        self,
        method: str,
        path: str,
        token: str,
        params: Mapping[str, Any] | None,
        json: object,
        call: _Call,
        attempt: int,
    ) -> requests.Response:
        started = time.perf_counter()
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                params=params,
                json=json,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            # A connect timeout never reached Zoom; a read timeout may have been processed.
            ambiguous = not isinstance(exc, requests.ConnectTimeout) and method not in READ_METHODS
            self._log(call, "timeout", started, attempt)
            raise ZoomTimeout(
                None,
                None,
                _("no answer within {seconds} seconds", seconds=self.timeout[1]),
                method=method,
                path=call.path,
                ambiguous=ambiguous,
            ) from None
        except requests.ConnectionError as exc:
            ambiguous = not _never_connected(exc) and method not in READ_METHODS
            self._log(call, "connection-error", started, attempt)
            raise ZoomUnavailable(
                None,
                None,
                _("connection failed ({error})", error=type(exc).__name__),
                method=method,
                path=call.path,
                ambiguous=ambiguous,
            ) from None
        except requests.RequestException as exc:
            raise ZoomError(None, None, type(exc).__name__, method=method, path=call.path) from None
        self._log(call, response.status_code, started, attempt)
        return response

    def _log(self, call: _Call, status: int | str, started: float, attempt: int) -> None:
        # Path template only: concrete paths and query strings stay out of the logs.
        duration_ms = (time.perf_counter() - started) * 1000
        logger.debug(
            "zoom %s %s -> %s in %.0f ms",
            call.method,
            call.template,
            status,
            duration_ms,
            extra={
                "zoom_method": call.method,
                "zoom_path": call.template,
                "zoom_status": status,
                "zoom_duration_ms": round(duration_ms, 1),
                "zoom_attempt": attempt,
            },
        )

    def _wait_or_raise(
        self, error: ZoomError, call: _Call, attempt: int, waited: float, wait: float | None
    ) -> float:
        """Sleep before the next attempt, or raise ``error`` when the policy's budget is spent."""
        if wait is None:
            wait = self.retry.backoff(attempt)
        if attempt >= self.retry.max_attempts or waited + wait > self.retry.max_total_wait:
            if isinstance(error, RateLimited) and error.retry_after is None:
                error.retry_after = wait
            raise error
        logger.warning(
            "zoom %s %s failed (%s); retrying in %.1f s (attempt %d of %d)",
            call.method,
            call.template,
            error.status or type(error).__name__,
            wait,
            attempt + 1,
            self.retry.max_attempts,
            extra={"zoom_method": call.method, "zoom_path": call.template, "zoom_status": error.status},
        )
        self._clock.sleep(wait)
        return waited + wait

    def _error_for(
        self, call: _Call, response: requests.Response, code: int | None, message: str
    ) -> ZoomError:
        status = response.status_code
        where: dict[str, Any] = {"method": call.method, "path": call.path}
        if status == 429:
            advice = advise_429(response.headers, message, self._clock.now())
            return RateLimited(status, code, message, advice.wait, **where, daily=advice.daily)
        if status == 401:
            return AuthError(
                status,
                code,
                message,
                **where,
                hint=_(
                    "Zoom rejected the access token; check that the Server-to-Server OAuth app is activated."
                ),
            )
        if status == 403:
            return AuthError(
                status,
                code,
                message,
                **where,
                hint=_(
                    "The Zoom app lacks a permission (scope) for this call; "
                    "add it in the Zoom App Marketplace."
                ),
            )
        if status == 404:
            return NotFound(status, code, message, **where)
        if status == 409:
            return Conflict(status, code, message, **where)
        if status in (400, 422):
            return ValidationFailed(status, code, message, **where)
        if status >= 500:
            return ZoomUnavailable(status, code, message, **where, ambiguous=call.method not in READ_METHODS)
        return ZoomError(status, code, message, **where)

    def _notify_write(self, method: str, path: str, status: int, body: dict[str, Any]) -> None:
        if self.on_write is None:
            return
        try:
            self.on_write(method, path, status, summarize_response(body))
        except Exception:
            # The change already happened in Zoom; the caller must still get its answer.
            logger.exception("zoom write hook failed", extra={"zoom_method": method})


@dataclass(frozen=True)
class _Call:
    method: str
    template: str
    path: str


def _never_connected(exc: requests.ConnectionError) -> bool:
    """True when the connection was never established (so the request was not sent)."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectTimeout) or isinstance(reason, NewConnectionError)


def _json_body(response: requests.Response) -> dict[str, Any]:
    if response.status_code == 204 or not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"items": body}


def _error_fields(response: requests.Response) -> tuple[int | None, str]:
    """Zoom's ``code`` and ``message`` from an error answer (never the raw body, which may be HTML)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        raw_code = body.get("code")
        code = raw_code if isinstance(raw_code, int) else None
        message = str(body.get("message") or body.get("reason") or "")
        return code, message + _field_errors(body.get("errors"))
    return None, f"HTTP {response.status_code} {response.reason or ''}".strip()


def _field_errors(errors: object, limit: int = 3) -> str:
    """Zoom's per-field details of a validation error (``errors: [{field, message}]``), if any.

    "Validation Failed." alone tells an organiser nothing; the field and Zoom's reason do.
    """
    if not isinstance(errors, list):
        return ""
    parts = [
        f"{item.get('field')}: {item.get('message')}" if item.get("field") else str(item.get("message"))
        for item in errors[:limit]
        if isinstance(item, dict) and item.get("message")
    ]
    more = f"; +{len(errors) - limit}" if len(errors) > limit else ""
    return f" ({'; '.join(parts)}{more})" if parts else ""


# Keys that identify what changed; everything else (join/start URLs, passwords, PINs) stays out.
_SUMMARY_KEYS = (
    "id",
    "uuid",
    "registrant_id",
    "host_id",
    "topic",
    "type",
    "start_time",
    "duration",
    "status",
    "approval_type",
)


def summarize_response(body: Mapping[str, Any]) -> dict[str, Any]:
    """A credential-free summary of a Zoom answer for the audit log.

    Scalars from an allowlist are kept; lists become their length plus the ids they carry
    (``registrant_id`` / ``id``) — never join URLs, start URLs or passwords.
    """
    summary: dict[str, Any] = {key: body[key] for key in _SUMMARY_KEYS if key in body}
    for key, value in body.items():
        if isinstance(value, list):
            summary[f"{key}_count"] = len(value)
            ids = [item.get("registrant_id") or item.get("id") for item in value if isinstance(item, dict)]
            if any(ids):
                summary[f"{key}_ids"] = [i for i in ids if i]
    return summary
