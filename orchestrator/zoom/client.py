"""Domain calls of the Zoom Meetings API used by the orchestrator.

Paths, query parameters, status codes and body shapes follow Zoom's Meetings OpenAPI document.
Methods return Zoom's parsed JSON (``dict``) or ``None`` where Zoom answers 204. Answers may
contain join URLs, start URLs and passwords: callers store them, never log them.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar
from urllib.parse import quote

from orchestrator.i18n import _
from orchestrator.zoom.errors import (
    INVALID_PARAMETER,
    NotFound,
    PaginationLimitExceeded,
    RateLimited,
    ValidationFailed,
)
from orchestrator.zoom.http import ZoomHttp
from orchestrator.zoom.ratelimit import DailyLimits, DailyQuota

logger = logging.getLogger(__name__)

MAX_PAGE_SIZE = 300  # Zoom's maximum page_size for listings
DEFAULT_MAX_PAGES = 200  # 60,000 items at 300 per page; far beyond a registrant cap of 4,999
MAX_BATCH_REGISTRANTS = 30  # POST /meetings/{meetingId}/batch_registrants: "up to 30 registrants"
MAX_STATUS_REGISTRANTS = 30  # PUT /meetings/{meetingId}/registrants/status: registrants maximum 30

RegistrantStatus = Literal["pending", "approved", "denied"]
RegistrantAction = Literal["approve", "deny", "cancel"]
_STATUSES = ("pending", "approved", "denied")
_ACTIONS = ("approve", "deny", "cancel")

T = TypeVar("T")


def chunked(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of ``items`` with at most ``size`` elements each."""
    if size < 1:
        raise ValueError("size must be at least 1")
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def paginate(  # noqa: PLR0913  keyword-only paging options, each with a default
    http: ZoomHttp,
    path_template: str,
    items_key: str,
    *,
    path_params: Mapping[str, object] | None = None,
    params: Mapping[str, object] | None = None,
    page_size: int = MAX_PAGE_SIZE,
    max_pages: int = DEFAULT_MAX_PAGES,
    id_key: str = "id",
) -> Iterator[dict[str, Any]]:
    """Yield every item of a ``next_page_token`` listing, each id once.

    Zoom's page tokens expire after 15 minutes (a slow consumer can outlive one); Zoom then answers
    400 with code 300. The listing is restarted from the first page once, skipping ids already
    yielded. More than ``max_pages`` pages raise :class:`PaginationLimitExceeded` rather than
    silently returning part of the list.
    """
    size = max(1, min(page_size, MAX_PAGE_SIZE))
    seen: set[Hashable] = set()
    restarted = False
    page_token = ""
    pages = 0
    while True:
        query: dict[str, object] = {**(params or {}), "page_size": size}
        if page_token:
            query["next_page_token"] = page_token
        try:
            body = http.request("GET", path_template, path_params=path_params, params=query)
        except ValidationFailed as exc:
            if page_token and exc.code == INVALID_PARAMETER and not restarted:
                logger.warning(
                    "zoom page token expired; restarting listing %s from the first page",
                    path_template,
                    extra={"zoom_path": path_template, "zoom_pages_read": pages},
                )
                restarted, page_token, pages = True, "", 0
                continue
            raise
        pages += 1
        for item in body.get(items_key) or []:
            item_id = item.get(id_key) if isinstance(item, dict) else None
            if item_id is not None:
                if item_id in seen:
                    continue
                seen.add(item_id)
            yield item
        page_token = str(body.get("next_page_token") or "")
        if not page_token:
            return
        if pages >= max_pages:
            raise PaginationLimitExceeded(
                None,
                None,
                _(
                    "The listing has more than {pages} pages; stopped to avoid an endless loop.",
                    pages=max_pages,
                ),
                method="GET",
                path=path_template,
            )


class ZoomClient:
    """The Zoom calls the orchestrator needs, on top of :class:`ZoomHttp`."""

    def __init__(self, http: ZoomHttp, daily_limits: DailyLimits | None = None) -> None:
        """``daily_limits`` (optional) refuses calls locally once a Zoom daily limit is used up."""
        self.http = http
        self.daily_limits = daily_limits
        self._meeting_writes = daily_limits.meeting_writes if daily_limits else None
        self._registrant_adds = daily_limits.registrant_adds if daily_limits else None
        self._status_changes = daily_limits.status_changes if daily_limits else None
        # meeting id -> host user, learnt from create/get answers: updates count against the host
        self._hosts: dict[str, str] = {}
        # Zoom user id -> the name this client used for that user ("me"), so both count as one
        self._user_alias: dict[str, str] = {}

    # Users ------------------------------------------------------------------------------------

    def get_user(self, user_id: str = "me") -> dict[str, Any]:
        """GET /users/{userId}."""
        return self.http.request("GET", "/users/{userId}", path_params={"userId": user_id})

    # Meetings ---------------------------------------------------------------------------------

    def create_meeting(self, user_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        """POST /users/{userId}/meetings (201). Never repeated after an ambiguous failure.

        A timeout or 5xx raises :class:`ZoomUnavailable` with ``ambiguous=True``: the meeting may
        exist; the caller reconciles (e.g. ``iter_meetings`` and match the topic/start time).
        """
        self._consume_meeting_write(user_id, "POST", f"/users/{user_id}/meetings")
        created = self.http.request(
            "POST", "/users/{userId}/meetings", path_params={"userId": user_id}, json=dict(body)
        )
        self._learn_host(created, user_id)
        return created

    def get_meeting(self, meeting_id: int | str, occurrence_id: str | None = None) -> dict[str, Any]:
        """GET /meetings/{meetingId} (404 code 3001 → :class:`NotFound`)."""
        params = {"occurrence_id": occurrence_id} if occurrence_id else None
        meeting = self.http.request(
            "GET", "/meetings/{meetingId}", path_params={"meetingId": meeting_id}, params=params
        )
        self._learn_host(meeting, None)
        return meeting

    def update_meeting(
        self, meeting_id: int | str, body: Mapping[str, Any], *, host_user: str | None = None
    ) -> None:
        """PATCH /meetings/{meetingId} (204). Sets absolute values, so it is retried when unsure.

        Counts against the host's 100 creates/updates a day: ``host_user``, else the host learnt
        from an earlier create/get of this meeting, else ``"me"``.
        """
        host = host_user or self._hosts.get(str(meeting_id), "me")
        self._consume_meeting_write(host, "PATCH", f"/meetings/{meeting_id}")
        self.http.request(
            "PATCH", "/meetings/{meetingId}", path_params={"meetingId": meeting_id}, json=dict(body)
        )

    def delete_meeting(self, meeting_id: int | str, *, missing_ok: bool = False) -> None:
        """DELETE /meetings/{meetingId} (204). ``missing_ok``: a meeting already gone is success."""
        try:
            self.http.request("DELETE", "/meetings/{meetingId}", path_params={"meetingId": meeting_id})
        except NotFound:
            if not missing_ok:
                raise

    def iter_meetings(
        self, user_id: str = "me", type: str = "scheduled", *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """GET /users/{userId}/meetings, all pages."""
        return paginate(
            self.http,
            "/users/{userId}/meetings",
            "meetings",
            path_params={"userId": user_id},
            params={"type": type},
            page_size=page_size,
        )

    # Registrants ------------------------------------------------------------------------------

    def add_registrant(
        self, meeting_id: int | str, body: Mapping[str, Any], occurrence_ids: Sequence[str] | None = None
    ) -> dict[str, Any]:
        """POST /meetings/{meetingId}/registrants (201): ``{id, registrant_id, join_url, ...}``.

        Zoom answers a repeated registration of the same e-mail with the existing registrant, so
        this POST is safe to repeat after a lost answer (``idempotent=True``). Zoom allows 3 such
        requests per registrant and day.
        """
        email = str(body.get("email", "")).strip().lower()
        self._consume(
            self._registrant_adds, (str(meeting_id), email), "POST", f"/meetings/{meeting_id}/registrants"
        )
        params = {"occurrence_ids": ",".join(occurrence_ids)} if occurrence_ids else None
        return self.http.request(
            "POST",
            "/meetings/{meetingId}/registrants",
            path_params={"meetingId": meeting_id},
            params=params,
            json=dict(body),
            idempotent=True,
        )

    def batch_registrants(
        self,
        meeting_id: int | str,
        registrants: Sequence[Mapping[str, Any]],
        auto_approve: bool,
        registrants_confirmation_email: bool = False,
    ) -> dict[str, Any]:
        """POST /meetings/{meetingId}/batch_registrants, at most 30 people (HEAVY category).

        Answer: ``{"registrants": [{"email", "registrant_id", "join_url", ...}]}``. Not repeated
        after an ambiguous failure; the caller reconciles with :meth:`iter_registrants`.
        """
        if len(registrants) > MAX_BATCH_REGISTRANTS:
            raise ValueError(
                f"batch_registrants takes at most {MAX_BATCH_REGISTRANTS} registrants, "
                f"got {len(registrants)}; use chunked()"
            )
        if not registrants:
            return {"registrants": []}
        quota = self._registrant_adds
        if quota is not None:
            keys: list[Hashable] = [
                (str(meeting_id), str(r.get("email", "")).strip().lower()) for r in registrants
            ]
            refused = quota.try_consume_all(keys)
            if refused is not None:
                raise self._daily_refusal(
                    _(
                        "Zoom allows adding the same registrant {limit} times per meeting and day; "
                        "{count} of these registrants have none left today.",
                        limit=quota.limit,
                        count=len(refused[1]),
                    ),
                    refused[0],
                    "POST",
                    f"/meetings/{meeting_id}/batch_registrants",
                )
        return self.http.request(
            "POST",
            "/meetings/{meetingId}/batch_registrants",
            path_params={"meetingId": meeting_id},
            json={
                "auto_approve": auto_approve,
                "registrants_confirmation_email": registrants_confirmation_email,
                "registrants": [dict(r) for r in registrants],
            },
        )

    def iter_registrants(
        self,
        meeting_id: int | str,
        status: RegistrantStatus = "approved",
        *,
        occurrence_id: str | None = None,
        page_size: int = MAX_PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """GET /meetings/{meetingId}/registrants?status=…, all pages (MEDIUM category)."""
        if status not in _STATUSES:
            raise ValueError(f"status must be one of {', '.join(_STATUSES)}")
        params: dict[str, object] = {"status": status}
        if occurrence_id:
            params["occurrence_id"] = occurrence_id
        return paginate(
            self.http,
            "/meetings/{meetingId}/registrants",
            "registrants",
            path_params={"meetingId": meeting_id},
            params=params,
            page_size=page_size,
        )

    def get_meeting_registrant(self, meeting_id: int | str, registrant_id: str) -> dict[str, Any]:
        """GET /meetings/{meetingId}/registrants/{registrantId}."""
        return self.http.request(
            "GET",
            "/meetings/{meetingId}/registrants/{registrantId}",
            path_params={"meetingId": meeting_id, "registrantId": registrant_id},
        )

    def update_registrant_status(
        self,
        meeting_id: int | str,
        action: RegistrantAction,
        registrants: Sequence[Mapping[str, str]],
        *,
        occurrence_id: str | None = None,
    ) -> None:
        """PUT /meetings/{meetingId}/registrants/status (204), in chunks of 30 registrants.

        Each registrant is ``{"id": ..., "email": ...}``. Setting a status is absolute, so chunks are
        retried when unsure and the whole call may be repeated after a failure part-way through.
        """
        if action not in _ACTIONS:
            raise ValueError(f"action must be one of {', '.join(_ACTIONS)}")
        params = {"occurrence_id": occurrence_id} if occurrence_id else None
        quota = self._status_changes
        if quota is not None and registrants:
            # Zoom allows 10 status changes per registrant, meeting and day: refuse the whole call
            # before the first chunk rather than leave it half done when a later chunk is refused.
            keys: list[Hashable] = [_status_key(meeting_id, r) for r in registrants]
            refused = quota.try_consume_all(keys)
            if refused is not None:
                raise self._daily_refusal(
                    _(
                        "Zoom allows {limit} status changes per registrant, meeting and day; {count} of "
                        "these registrants have none left today.",
                        limit=quota.limit,
                        count=len(refused[1]),
                    ),
                    refused[0],
                    "PUT",
                    f"/meetings/{meeting_id}/registrants/status",
                )
        for chunk in chunked(list(registrants), MAX_STATUS_REGISTRANTS):
            self.http.request(
                "PUT",
                "/meetings/{meetingId}/registrants/status",
                path_params={"meetingId": meeting_id},
                params=params,
                json={"action": action, "registrants": [dict(r) for r in chunk]},
            )

    def delete_registrant(
        self,
        meeting_id: int | str,
        registrant_id: str,
        *,
        occurrence_id: str | None = None,
        missing_ok: bool = False,
    ) -> None:
        """DELETE /meetings/{meetingId}/registrants/{registrantId} (204)."""
        params = {"occurrence_id": occurrence_id} if occurrence_id else None
        try:
            self.http.request(
                "DELETE",
                "/meetings/{meetingId}/registrants/{registrantId}",
                path_params={"meetingId": meeting_id, "registrantId": registrant_id},
                params=params,
            )
        except NotFound:
            if not missing_ok:
                raise

    # Registration questions -------------------------------------------------------------------

    def get_registration_questions(self, meeting_id: int | str) -> dict[str, Any]:
        """GET /meetings/{meetingId}/registrants/questions (LIGHT).

        Answer: ``{"questions": [{"field_name", "required"}], "custom_questions": [{"title", "type",
        "required", "answers"}]}``.
        """
        return self.http.request(
            "GET", "/meetings/{meetingId}/registrants/questions", path_params={"meetingId": meeting_id}
        )

    def update_registration_questions(self, meeting_id: int | str, body: Mapping[str, Any]) -> None:
        """PATCH /meetings/{meetingId}/registrants/questions (204, LIGHT); replaces the lists given.

        ``body``: ``questions`` (standard fields from Zoom's fixed set) and/or ``custom_questions``
        (``type`` ``short`` or ``single``; ``answers`` only for ``single``). Absolute, so retried
        when unsure.
        """
        self.http.request(
            "PATCH",
            "/meetings/{meetingId}/registrants/questions",
            path_params={"meetingId": meeting_id},
            json=dict(body),
        )

    # Attendance reports ----------------------------------------------------------------------

    def iter_past_meeting_participants(
        self, meeting: int | str, *, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """GET /past_meetings/{meetingId}/participants, all pages (MEDIUM).

        ``meeting``: a meeting id (Zoom answers for the latest instance) or an instance's UUID.
        One item per join: ``{id, name, user_id, registrant_id, user_email, join_time, leave_time,
        duration, status, ...}``; a rejoin is a new item with a new ``user_id``.
        """
        return paginate(
            self.http,
            "/past_meetings/{meetingId}/participants",
            "participants",
            path_params={"meetingId": meeting_path_id(meeting)},
            page_size=page_size,
            id_key="user_id",
        )

    def iter_report_participants(
        self, meeting: int | str, *, include_registrant_id: bool = True, page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        """GET /report/meetings/{meetingId}/participants, all pages (HEAVY; scope ``report:read:admin``).

        Like :meth:`iter_past_meeting_participants`, plus ``participant_user_id`` and breakout room
        ids; ``registrant_id`` only with ``include_fields=registrant_id`` (the default here).
        """
        params = {"include_fields": "registrant_id"} if include_registrant_id else None
        return paginate(
            self.http,
            "/report/meetings/{meetingId}/participants",
            "participants",
            path_params={"meetingId": meeting_path_id(meeting)},
            params=params,
            page_size=page_size,
            id_key="user_id",
        )

    # Local daily limits -----------------------------------------------------------------------

    def _learn_host(self, meeting: Mapping[str, Any], used_name: str | None) -> None:
        meeting_id, host_id = meeting.get("id"), meeting.get("host_id")
        if meeting_id is None:
            return
        if used_name is not None:
            self._hosts[str(meeting_id)] = used_name
            if host_id:
                self._user_alias[str(host_id)] = used_name
        elif host_id:
            self._hosts.setdefault(str(meeting_id), self._user_alias.get(str(host_id), str(host_id)))

    def _consume_meeting_write(self, user: str, method: str, path: str) -> None:
        quota = self._meeting_writes
        if quota is None:
            return
        user = self._user_alias.get(user, user)
        refused = quota.try_consume_all([("user", user)])
        if refused is not None:
            raise self._daily_refusal(
                _(
                    "Zoom allows {limit} meeting creations and updates per host user and day; none are "
                    "left today for user {user}.",
                    limit=quota.limit,
                    user=user,
                ),
                refused[0],
                method,
                path,
            )

    def _consume(self, quota: DailyQuota | None, key: Hashable, method: str, path: str) -> None:
        if quota is None:
            return
        wait = quota.try_consume(key)
        if wait is not None:
            raise self._daily_refusal(
                _(
                    "Zoom allows adding the same registrant {limit} times per meeting and day; {count} of "
                    "these registrants have none left today.",
                    limit=quota.limit,
                    count=1,
                ),
                wait,
                method,
                path,
            )

    @staticmethod
    def _daily_refusal(what: str, wait: float, method: str, path: str) -> RateLimited:
        """A local refusal: what is limited, how many are left, and when the limit resets."""
        hours, minutes = divmod(max(0, int(wait // 60)), 60)
        message = _(
            "Not sent to Zoom: {what} The limit resets at 00:00 UTC (in {hours} h {minutes} min).",
            what=what,
            hours=hours,
            minutes=minutes,
        )
        return RateLimited(None, None, message, wait, method, path, daily=True)


def meeting_path_id(meeting: int | str) -> str:
    """A meeting id or instance UUID ready for :class:`ZoomHttp` to percent-encode into the path.

    Zoom requires a UUID that starts with ``/`` or contains ``//`` to be encoded twice; the HTTP
    layer encodes once, so such a UUID is pre-encoded here.
    """
    text = str(meeting)
    if text.startswith("/") or "//" in text:
        return quote(text, safe="")
    return text


def _status_key(meeting_id: int | str, registrant: Mapping[str, str]) -> Hashable:
    registrant_id = str(registrant.get("id") or "")
    if registrant_id:
        return (str(meeting_id), "id", registrant_id)
    return (str(meeting_id), "email", str(registrant.get("email", "")).strip().lower())
