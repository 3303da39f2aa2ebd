"""Serve the emulator through a ``responses.RequestsMock`` (for tests that already use ``responses``)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from requests import PreparedRequest

from orchestrator.zoom.emulator.adapter import PathMapper, call_app
from orchestrator.zoom.emulator.app import EmulatorApp

if TYPE_CHECKING:
    import responses

ZOOM_API_URL = "https://api.zoom.us/v2"
ZOOM_OAUTH_URL = "https://zoom.us/oauth/token"


def install_responses(
    rsps: responses.RequestsMock,
    app: EmulatorApp,
    base_url: str = ZOOM_API_URL,
    oauth_url: str = ZOOM_OAUTH_URL,
) -> None:
    """Register callbacks so requests to ``base_url``/``oauth_url`` are answered by ``app``.

    ``slow`` faults wait for real and turn into ``ReadTimeout`` beyond the request's read timeout.
    Not every registered callback is used by a test: create the mock with
    ``responses.RequestsMock(assert_all_requests_are_fired=False)``.
    """
    mapper = PathMapper(base_url, oauth_url)

    def callback(request: PreparedRequest) -> Any:
        timeout = getattr(request, "req_kwargs", {}).get("timeout")
        try:
            return call_app(app, mapper, request, timeout)
        except Exception as exc:  # responses raises an exception returned by the callback
            return exc

    base = re.escape(base_url.rstrip("/"))
    api = re.compile(base + r"(/[^?]*)?(\?.*)?$")
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        rsps.add_callback(method, api, callback=callback, content_type=None)
    token_url = re.compile(re.escape(oauth_url.split("?", 1)[0]) + r"(\?.*)?$")
    rsps.add_callback("POST", token_url, callback=callback, content_type=None)
