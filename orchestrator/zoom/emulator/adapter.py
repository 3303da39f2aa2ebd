"""An in-process ``requests`` transport to the emulator: ``session.mount(base_url, EmulatorAdapter(app))``.

Requests never leave the process, yet go through the same code as over HTTP. A ``slow`` fault
really waits; when the delay exceeds the request's read timeout the adapter waits the timeout and
raises ``requests.exceptions.ReadTimeout``, as a client talking to a slow server would see it (the
emulator has processed the request by then, like a server that answers too late).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.adapters import BaseAdapter
from requests.exceptions import ReadTimeout
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers
from urllib3.util import Timeout

from orchestrator.zoom.emulator.app import OAUTH_PATH, EmulatorApp

TimeoutValue = float | tuple[float | None, float | None] | Timeout | None


class PathMapper:
    """Turns request URLs into the emulator's paths (``/v2/...`` and ``/oauth/token``).

    ``base_url``/``oauth_url`` let a client use other addresses than Zoom's; without them the URL's
    own path is used (``https://api.zoom.us/v2/...`` and ``https://zoom.us/oauth/token`` map as is).
    """

    def __init__(self, base_url: str | None = None, oauth_url: str | None = None) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.oauth_url = oauth_url.split("?", 1)[0].rstrip("/") if oauth_url else None

    def split(self, url: str) -> tuple[str, str]:
        """``(path, query)`` for the emulator."""
        without_query, _, query = url.partition("?")
        if self.oauth_url and without_query.rstrip("/") == self.oauth_url:
            return OAUTH_PATH, query
        if self.base_url and without_query.startswith(self.base_url):
            rest = without_query[len(self.base_url) :]
            return "/v2" + (rest if rest.startswith("/") else "/" + rest), query
        return urlsplit(url).path or "/", query


def call_app(
    app: EmulatorApp, mapper: PathMapper, request: PreparedRequest, timeout: TimeoutValue
) -> tuple[int, dict[str, str], bytes]:
    """Let ``app`` answer ``request``; honour ``slow`` faults against the read timeout."""
    path, query = mapper.split(str(request.url))
    reply = app.dispatch(str(request.method), path, query, _headers(request.headers), _body(request.body))
    if reply.delay_s > 0:
        limit = read_timeout(timeout)
        if limit is not None and reply.delay_s > limit:
            app.sleep(limit)
            raise ReadTimeout(f"Zoom emulator: no answer within {limit} s (read timeout)", request=request)
        app.sleep(reply.delay_s)
    return reply.status, reply.headers, reply.body


def read_timeout(timeout: TimeoutValue) -> float | None:
    """The read part of a ``requests`` timeout (number, ``(connect, read)`` or urllib3 ``Timeout``)."""
    if timeout is None:
        return None
    if isinstance(timeout, Timeout):
        value = timeout.read_timeout
        return float(value) if isinstance(value, int | float) else None
    if isinstance(timeout, tuple):
        return None if timeout[1] is None else float(timeout[1])
    return float(timeout)


class EmulatorAdapter(BaseAdapter):
    """A ``requests`` transport adapter answering from an :class:`EmulatorApp` in process."""

    def __init__(
        self, app: EmulatorApp, *, base_url: str | None = None, oauth_url: str | None = None
    ) -> None:
        super().__init__()
        self.app = app
        self.mapper = PathMapper(base_url, oauth_url)

    def send(
        self,
        request: PreparedRequest,
        stream: bool = False,
        timeout: TimeoutValue = None,
        verify: bool | str = True,
        cert: object = None,
        proxies: Mapping[str, str] | None = None,
    ) -> Response:
        status, headers, body = call_app(self.app, self.mapper, request, timeout)
        response = Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(headers)
        response._content = body
        response.raw = io.BytesIO(body)
        response.url = str(request.url)
        response.request = request
        response.reason = _reason(status)
        response.encoding = get_encoding_from_headers(response.headers)
        response.connection = self  # type: ignore[assignment]
        return response

    def close(self) -> None:
        """Nothing to release: no sockets."""


def _headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def _body(body: object) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if hasattr(body, "read"):
        data = body.read()
        return data if isinstance(data, bytes) else str(data).encode("utf-8")
    if isinstance(body, Iterable):
        return b"".join(c if isinstance(c, bytes) else str(c).encode("utf-8") for c in body)
    raise TypeError(f"unsupported request body {type(body).__name__}")


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
