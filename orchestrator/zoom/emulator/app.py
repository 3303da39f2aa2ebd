"""The emulated Zoom: routing, auth, rate limits, faults and the request log, as a WSGI app.

:meth:`EmulatorApp.handle` answers one request given as plain values; the WSGI entry point, the
in-process ``requests`` adapter and the ``responses`` glue all go through it.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from base64 import b64encode
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from orchestrator.clock import Clock, SystemClock
from orchestrator.zoom.emulator import meetings, past_meetings, questions, registrants
from orchestrator.zoom.emulator.attendance import AttendanceFacts, AttendancePlan, Invitee, simulate
from orchestrator.zoom.emulator.auth import check_bearer, expire_token, issue_token
from orchestrator.zoom.emulator.config import Category, EmulatorConfig
from orchestrator.zoom.emulator.errors import ApiError, zoom_error
from orchestrator.zoom.emulator.faults import FaultRule, Faults
from orchestrator.zoom.emulator.formats import parse_zoom_datetime, zoom_datetime
from orchestrator.zoom.emulator.ratelimit import daily_error, enforce_category, qps_error
from orchestrator.zoom.emulator.state import EmulatorState, RequestRecord
from orchestrator.zoom.emulator.users import host_user, resolve_user, user_body

Headers = dict[str, str]
StartResponse = Callable[..., Any]

OAUTH_PATH = "/oauth/token"
JSON_TYPE = "application/json;charset=UTF-8"


@dataclass
class Reply:
    """An answer before it is sent: ``delay_s`` is how long a ``slow`` fault holds it back."""

    status: int
    headers: Headers = field(default_factory=dict)
    body: bytes = b""
    delay_s: float = 0.0


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    name: str
    category: Category


def _route(method: str, pattern: str, name: str, category: Category) -> Route:
    return Route(method, re.compile("^/v2" + pattern + "$"), name, category)


# Rate-limit labels as in Zoom's API reference for each endpoint
ROUTES = (
    _route("GET", r"/users/(?P<user>[^/]+)", "get_user", Category.LIGHT),
    _route("GET", r"/users/(?P<user>[^/]+)/meetings", "list_meetings", Category.MEDIUM),
    _route("POST", r"/users/(?P<user>[^/]+)/meetings", "create_meeting", Category.LIGHT),
    _route("GET", r"/meetings/(?P<meeting>[^/]+)", "get_meeting", Category.LIGHT),
    _route("PATCH", r"/meetings/(?P<meeting>[^/]+)", "update_meeting", Category.LIGHT),
    _route("DELETE", r"/meetings/(?P<meeting>[^/]+)", "delete_meeting", Category.LIGHT),
    _route("GET", r"/meetings/(?P<meeting>[^/]+)/registrants", "list_registrants", Category.MEDIUM),
    _route("POST", r"/meetings/(?P<meeting>[^/]+)/registrants", "add_registrant", Category.LIGHT),
    _route("POST", r"/meetings/(?P<meeting>[^/]+)/batch_registrants", "batch_registrants", Category.HEAVY),
    _route("PUT", r"/meetings/(?P<meeting>[^/]+)/registrants/status", "update_status", Category.MEDIUM),
    # before the registrant routes: "questions" is not a registrant id
    _route("GET", r"/meetings/(?P<meeting>[^/]+)/registrants/questions", "get_questions", Category.LIGHT),
    _route(
        "PATCH", r"/meetings/(?P<meeting>[^/]+)/registrants/questions", "update_questions", Category.LIGHT
    ),
    _route(
        "GET",
        r"/meetings/(?P<meeting>[^/]+)/registrants/(?P<registrant>[^/]+)",
        "get_registrant",
        Category.LIGHT,
    ),
    _route(
        "DELETE",
        r"/meetings/(?P<meeting>[^/]+)/registrants/(?P<registrant>[^/]+)",
        "delete_registrant",
        Category.LIGHT,
    ),
    _route("GET", r"/past_meetings/(?P<meeting>[^/]+)/participants", "past_participants", Category.MEDIUM),
    _route("GET", r"/report/meetings/(?P<meeting>[^/]+)/participants", "report_participants", Category.HEAVY),
)
_JOIN_PATH = re.compile(r"^/w/\d+$")


class EmulatorApp:
    """A faithful fake of the Zoom REST API (``/v2``) and its token endpoint (``/oauth/token``)."""

    def __init__(
        self,
        state: EmulatorState | None = None,
        config: EmulatorConfig | None = None,
        faults: Faults | None = None,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.state = state if state is not None else EmulatorState()
        self.config = config if config is not None else EmulatorConfig()
        self.faults = faults if faults is not None else Faults()
        self.clock = clock if clock is not None else SystemClock()
        self.sleep = sleep

    # --- entry points -------------------------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> tuple[int, Headers, bytes]:
        """Answer one request; a ``slow`` fault really waits before returning."""
        reply = self.dispatch(method, path, query, headers, body)
        if reply.delay_s > 0:
            self.sleep(reply.delay_s)
        return reply.status, reply.headers, reply.body

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """WSGI entry point."""
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        headers = {
            key[5:].replace("_", "-").lower(): value
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        status, reply_headers, reply_body = self.handle(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO") or "/",
            environ.get("QUERY_STRING", ""),
            headers,
            body,
        )
        reason = _REASONS.get(status, "Unknown")
        length_header = ("Content-Length", str(len(reply_body)))
        start_response(f"{status} {reason}", [*reply_headers.items(), length_header])
        return [reply_body]

    def dispatch(
        self,
        method: str,
        path: str,
        query: str | Mapping[str, list[str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        """Answer one request without waiting; the reply says how long a ``slow`` fault delays it."""
        method = method.upper()
        params = parse_qs(query, keep_blank_values=True) if isinstance(query, str) else dict(query)
        lowered = {k.lower(): v for k, v in headers.items()}
        now = self.clock.now()
        fault = self._pick_fault(method, path)
        with self.state.transaction() as data:
            try:
                if fault is not None and fault.kind not in ("slow", "token-expired"):
                    raise _fault_error(fault, now)
                status, payload = self._route(data, method, path, params, lowered, body, now, fault)
                reply = _json_reply(status, payload)
            except ApiError as error:
                reply = _json_reply(error.status, error.body, error.headers)
            except _HtmlReply as error:
                reply = Reply(error.status, {"Content-Type": "text/html"}, error.html.encode("utf-8"))
            self._log(data, method, path, reply.status, now)
        reply.headers.setdefault("x-zm-trackingid", "EMU_" + secrets.token_hex(8))
        if fault is not None and fault.kind == "slow":
            reply.delay_s = fault.delay_s
        return reply

    # --- inspection helpers for tests ---------------------------------------------------------

    def meetings(self) -> list[dict[str, Any]]:
        """All meetings, shaped like ``GET /meetings/{id}``."""
        with self.state.transaction() as data:
            return [meetings.meeting_body(m) for m in data["meetings"].values()]

    def meeting(self, meeting_id: int | str) -> dict[str, Any] | None:
        with self.state.transaction() as data:
            found = data["meetings"].get(str(meeting_id))
            return meetings.meeting_body(found) if found else None

    def registrants(self, meeting_id: int | str, *, include_cancelled: bool = False) -> list[dict[str, Any]]:
        """All registrations of a meeting (every status), shaped like Zoom lists them plus ``status``."""
        with self.state.transaction() as data:
            stored = data["registrants"].get(str(meeting_id), [])
            return [
                {**registrants.registrant_body(r), "join_url": r["join_url"]}
                for r in stored
                if include_cancelled or r["status"] != "cancelled"
            ]

    def simulate_attendance(
        self,
        meeting_id: int | str,
        plan: AttendancePlan | None = None,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> AttendanceFacts:
        """Hold the meeting with its approved registrants (seeded) and keep the facts for the reports.

        ``start``/``end`` default to the meeting's start time and duration. The facts also drive
        :func:`orchestrator.zoom.emulator.webhook_sender.replay`.
        """
        with self.state.transaction() as data:
            meeting = meetings.find_meeting(data, str(meeting_id))
            people = [
                Invitee(f"{r['first_name']} {r['last_name']}".strip(), r["email"], r["id"])
                for r in data["registrants"].get(str(meeting_id), [])
                if r["status"] == "approved"
            ]
            begin = start or parse_zoom_datetime(meeting["start_time"])
            finish = end or begin + timedelta(minutes=int(meeting.get("duration") or 60))
            facts = simulate(int(meeting["id"]), meeting["uuid"], begin, finish, people, plan)
            past_meetings.store_facts(data, facts)
            return facts

    def request_log(self) -> list[RequestRecord]:
        """Every answered request, oldest first (method, path, status, time; capped in size)."""
        with self.state.transaction() as data:
            return [RequestRecord(**entry) for entry in data["request_log"]]

    def write_calls(self) -> list[RequestRecord]:
        """Logged requests that could change Zoom's data (POST/PUT/PATCH/DELETE on ``/v2``)."""
        return [r for r in self.request_log() if r.is_write]

    def clear_request_log(self) -> None:
        with self.state.transaction() as data:
            data["request_log"] = []

    def join_link_valid(self, url: str) -> bool:
        """Whether a registrant's join link would let its holder in (approved, not cancelled)."""
        with self.state.transaction() as data:
            return registrants.join_link_valid(data, url)

    def issue_token(self) -> str:
        """A valid access token without an HTTP round trip (for tests of single endpoints)."""
        with self.state.transaction() as data:
            user = host_user(data, self.config, self.clock.now())
            basic = b64encode(b"emulator:emulator").decode()
            answer = issue_token(
                data,
                _sandbox(self.config),
                {"grant_type": ["account_credentials"], "account_id": [user["account_id"]]},
                {"authorization": f"Basic {basic}"},
                b"",
                self.clock.now(),
            )
            return str(answer["access_token"])

    # --- internals ----------------------------------------------------------------------------

    def _pick_fault(self, method: str, path: str) -> FaultRule | None:
        if _JOIN_PATH.match(path):
            return None  # join pages are not Zoom's API
        return self.faults.pick(method, path, exclude=("token-expired",) if path == OAUTH_PATH else ())

    def _route(  # noqa: PLR0913  the parts of one HTTP request
        self,
        data: dict[str, Any],
        method: str,
        path: str,
        query: dict[str, list[str]],
        headers: dict[str, str],
        body: bytes,
        now: datetime,
        fault: FaultRule | None,
    ) -> tuple[int, dict[str, Any] | None]:
        if path == OAUTH_PATH:
            if method != "POST":
                raise ApiError(405, {"reason": "Method not allowed", "error": "invalid_request"})
            return 200, issue_token(data, self.config, query, headers, body, now)
        if _JOIN_PATH.match(path) and method == "GET":
            url = f"{self.config.join_base_url.rstrip('/')}{path}?tk={(query.get('tk') or [''])[0]}"
            if registrants.join_link_valid(data, url):
                raise _HtmlReply(200, "<html><body><h1>Zoom emulator: you would join now.</h1></body></html>")
            raise _HtmlReply(404, "<html><body><h1>This invite link is not valid.</h1></body></html>")
        if not path.startswith("/v2/"):
            raise zoom_error(404, 404, "Not Found")
        route, match = _find_route(method, path)
        token = check_bearer(data, headers, now)
        if fault is not None and fault.kind == "token-expired":
            expire_token(data, token, now)
            raise zoom_error(401, 124, "Access token is expired.")
        enforce_category(data, self.config, route.category, now)
        args = match.groupdict()
        payload = _json_body(body) if method in ("POST", "PATCH", "PUT") else {}
        return self._call(route.name, data, args, query, payload, now)

    def _call(  # noqa: C901  one branch per emulated endpoint, a routing table
        self,
        name: str,
        data: dict[str, Any],
        args: dict[str, str],
        query: dict[str, list[str]],
        payload: dict[str, Any],
        now: datetime,
    ) -> tuple[int, dict[str, Any] | None]:
        config = self.config
        meeting_id = args.get("meeting", "")
        if name == "get_user":
            return 200, user_body(resolve_user(data, config, args["user"], now))
        if name in ("list_meetings", "create_meeting"):
            host = resolve_user(data, config, args["user"], now)
            if name == "list_meetings":
                return 200, meetings.list_meetings(data, config, host, query, now)
            return 201, meetings.create_meeting(data, config, host, payload, now)
        host = host_user(data, config, now)
        if name == "get_meeting":
            return 200, meetings.meeting_body(meetings.find_meeting(data, meeting_id))
        if name == "update_meeting":
            meetings.update_meeting(data, config, host, meeting_id, payload, now)
            return 204, None
        if name == "delete_meeting":
            meetings.delete_meeting(data, meeting_id)
            return 204, None
        if name == "list_registrants":
            return 200, registrants.list_registrants(data, config, meeting_id, query, now)
        if name == "add_registrant":
            return 201, registrants.add_registrant(data, config, host, meeting_id, payload, now)
        if name == "batch_registrants":
            return 201, registrants.batch_registrants(data, config, host, meeting_id, payload, now)
        if name == "update_status":
            registrants.update_status(data, config, meeting_id, payload, now)
            return 204, None
        if name == "get_registrant":
            return 200, registrants.get_registrant(data, meeting_id, args["registrant"])
        if name == "delete_registrant":
            registrants.delete_registrant(data, meeting_id, args["registrant"])
            return 204, None
        return self._call_questions_and_reports(name, data, meeting_id, query, payload, now)

    def _call_questions_and_reports(
        self,
        name: str,
        data: dict[str, Any],
        meeting_id: str,
        query: dict[str, list[str]],
        payload: dict[str, Any],
        now: datetime,
    ) -> tuple[int, dict[str, Any] | None]:
        if name == "get_questions":
            return 200, questions.get_questions(data, meeting_id)
        if name == "update_questions":
            questions.update_questions(data, self.config, meeting_id, payload)
            return 204, None
        if name == "past_participants":
            return 200, past_meetings.past_participants(data, self.config, meeting_id, query, now)
        if name == "report_participants":
            return 200, past_meetings.report_participants(data, self.config, meeting_id, query, now)
        raise AssertionError(f"unrouted {name}")

    def _log(self, data: dict[str, Any], method: str, path: str, status: int, now: datetime) -> None:
        log: list[dict[str, Any]] = data["request_log"]
        log.append({"method": method, "path": path, "status": status, "at": zoom_datetime(now)})
        overflow = len(log) - self.config.request_log_max
        if overflow > 0:
            del log[:overflow]


class _HtmlReply(Exception):
    """An HTML answer (join pages, gateway errors) carried out of the routing like an error."""

    def __init__(self, status: int, html: str) -> None:
        super().__init__(status)
        self.status = status
        self.html = html


def _find_route(method: str, path: str) -> tuple[Route, re.Match[str]]:
    allowed = False
    for route in ROUTES:
        match = route.pattern.match(path)
        if match is None:
            continue
        if route.method == method:
            return route, match
        allowed = True
    if allowed:
        raise zoom_error(405, 405, "Method Not Allowed")
    raise zoom_error(404, 404, "Not Found")


def _json_body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        parsed = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise zoom_error(400, 300, "Request Body should be a valid JSON object.") from exc
    if not isinstance(parsed, dict):
        raise zoom_error(400, 300, "Request Body should be a valid JSON object.")
    return parsed


def _json_reply(status: int, payload: dict[str, Any] | None, headers: Headers | None = None) -> Reply:
    reply_headers = dict(headers or {})
    if payload is None or status == 204:
        return Reply(status, reply_headers, b"")
    reply_headers["Content-Type"] = JSON_TYPE
    return Reply(status, reply_headers, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def _fault_error(fault: FaultRule, now: datetime) -> Exception:
    category = Category.LIGHT
    if fault.kind == "429":
        return qps_error(category, 30)
    if fault.kind == "429-no-headers":
        return qps_error(category, 30, with_headers=False)
    if fault.kind == "429-daily":
        return daily_error(Category.HEAVY, 30000, now, "Heavy API")
    if fault.kind == "500":
        return zoom_error(500, 500, "Internal Server Error")
    # 502/503 come from Zoom's gateway, which answers in HTML rather than Zoom's JSON
    status = int(fault.kind)
    return _HtmlReply(status, f"<html><body><h1>{status} {_REASONS[status]}</h1></body></html>")


def _sandbox(config: EmulatorConfig) -> EmulatorConfig:
    return replace(config, account_id=None, client_id=None, client_secret=None)


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
