"""The emulator's answers validate against Zoom's OpenAPI document for every endpoint it serves.

Beyond JSON-schema validation, every key the emulator sends must be documented (Zoom's schemas
allow any extra property, so validation alone would not notice invented fields).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from jsonschema import Draft4Validator, FormatChecker

from orchestrator.zoom.emulator import EmulatorAdapter, EmulatorApp, EmulatorConfig, EmulatorState
from orchestrator.zoom.emulator.app import ROUTES
from tests.support.zoom_spec import load_zoom_meetings_spec
from tests.unit.emulator.emulator_helpers import Zoom

# emulator route name -> (path template in the document, method)
DOCUMENTED = {
    "list_meetings": ("/users/{userId}/meetings", "get"),
    "create_meeting": ("/users/{userId}/meetings", "post"),
    "get_meeting": ("/meetings/{meetingId}", "get"),
    "update_meeting": ("/meetings/{meetingId}", "patch"),
    "delete_meeting": ("/meetings/{meetingId}", "delete"),
    "list_registrants": ("/meetings/{meetingId}/registrants", "get"),
    "add_registrant": ("/meetings/{meetingId}/registrants", "post"),
    "batch_registrants": ("/meetings/{meetingId}/batch_registrants", "post"),
    "update_status": ("/meetings/{meetingId}/registrants/status", "put"),
    "get_registrant": ("/meetings/{meetingId}/registrants/{registrantId}", "get"),
    "delete_registrant": ("/meetings/{meetingId}/registrants/{registrantId}", "delete"),
    "get_questions": ("/meetings/{meetingId}/registrants/questions", "get"),
    "update_questions": ("/meetings/{meetingId}/registrants/questions", "patch"),
    "past_participants": ("/past_meetings/{meetingId}/participants", "get"),
    "report_participants": ("/report/meetings/{meetingId}/participants", "get"),
}
# GET /users/{userId} belongs to Zoom's Users API, a different document
NOT_IN_MEETINGS_DOCUMENT = {"get_user": "/users/{userId}"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    """The Meetings OpenAPI document with ``$ref``s resolved (loaded once: it is 2 MB)."""
    document = load_zoom_meetings_spec()  # skips, saying why, when the document is absent
    resolved: dict[str, Any] = _resolve(document, document)
    return resolved


def _resolve(node: Any, root: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part.replace("~1", "/").replace("~0", "~")]
            return _resolve(target, root, (*seen, ref))
        return {k: _resolve(v, root, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, root, seen) for v in node]
    return node


FORMATS = FormatChecker()


@FORMATS.checks("date-time")
def _is_date_time(value: object) -> bool:
    # Zoom answers UTC with a trailing Z; RFC 3339 in general
    return not isinstance(value, str) or bool(
        re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})", value)
    )


@FORMATS.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value))


def _properties(schema: dict[str, Any]) -> dict[str, Any] | None:
    """Documented properties of an object schema, merged across ``allOf``/``anyOf``/``oneOf``."""
    found: dict[str, Any] | None = None
    if "properties" in schema:
        found = dict(schema["properties"])
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            sub = _properties(part)
            if sub is not None:
                found = {**(found or {}), **sub}
    return found


def _items(schema: dict[str, Any]) -> dict[str, Any] | None:
    if "items" in schema:
        items: dict[str, Any] = schema["items"]
        return items
    for key in ("allOf", "anyOf", "oneOf"):
        for part in schema.get(key, []):
            found = _items(part)
            if found is not None:
                return found
    return None


def undocumented(instance: Any, schema: dict[str, Any], where: str = "$") -> Iterator[str]:
    """Paths of keys in ``instance`` that the schema does not document."""
    if isinstance(instance, dict):
        props = _properties(schema)
        if props is None:
            return
        for key, value in instance.items():
            if key not in props:
                yield f"{where}.{key}"
            else:
                yield from undocumented(value, props[key], f"{where}.{key}")
    elif isinstance(instance, list):
        items = _items(schema)
        if items is not None:
            for index, value in enumerate(instance):
                yield from undocumented(value, items, f"{where}[{index}]")


def check(spec: dict[str, Any], route: str, answer: requests.Response) -> None:
    """``answer`` is a documented status of ``route``; its JSON body validates and has no invented keys."""
    template, method = DOCUMENTED[route]
    operation = spec["paths"][template][method]
    status = str(answer.status_code)
    assert status in operation["responses"], f"{route}: status {status} is not documented"
    documented = operation["responses"][status]
    content = documented.get("content")
    if answer.status_code >= 400:
        # errors are documented as text: Zoom's body {"code", "message"} with a listed error code
        error = answer.json()
        assert set(error) == {"code", "message"} and isinstance(error["message"], str), error
        assert f"`{error['code']}`" in documented["description"], f"{route}: code {error['code']} not listed"
        return
    if content is None:
        assert answer.content == b"", f"{route}: {status} is documented without a body"
        return
    schema = content["application/json"]["schema"]
    body = answer.json()
    errors = sorted(Draft4Validator(schema, format_checker=FORMATS).iter_errors(body), key=str)
    assert not errors, f"{route}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:5])
    extra = list(undocumented(body, schema))
    assert not extra, f"{route}: undocumented keys {extra}"


def test_every_served_endpoint_is_checked_against_the_document(spec: dict[str, Any]) -> None:
    served = {route.name for route in ROUTES}
    assert served == set(DOCUMENTED) | set(NOT_IN_MEETINGS_DOCUMENT)
    for template, method in DOCUMENTED.values():
        assert method in spec["paths"][template]
    for template in NOT_IN_MEETINGS_DOCUMENT.values():
        assert template not in spec["paths"], "now documented here: check it in this test"


def test_responses_validate_against_zoom_schemas(spec: dict[str, Any]) -> None:
    app = EmulatorApp(EmulatorState(), EmulatorConfig())
    with requests.Session() as session:
        session.mount("https://", EmulatorAdapter(app))
        zoom = Zoom(session)
        zoom.login()
        settings = {
            "approval_type": 1,
            "waiting_room": True,
            "breakout_room": {
                "enable": True,
                "rooms": [{"name": "Raum 1", "participants": ["r@example.org"]}],
            },
        }
        body = {
            "topic": "Fachtag",
            "type": 2,
            "start_time": "2030-08-27T09:30:00",
            "timezone": "Europe/Berlin",
            "duration": 420,
            "agenda": "Programm",
            "settings": settings,
        }
        created = zoom.call("POST", "/users/me/meetings", json=body)
        check(spec, "create_meeting", created)
        meeting_id = created.json()["id"]
        check(spec, "get_meeting", zoom.call("GET", f"/meetings/{meeting_id}"))
        check(spec, "update_meeting", zoom.call("PATCH", f"/meetings/{meeting_id}", json={"agenda": "Neu"}))
        check(spec, "list_meetings", zoom.call("GET", "/users/me/meetings", params={"page_size": 1}))

        person = {
            "email": "a@example.org",
            "first_name": "A",
            "last_name": "B",
            "auto_approve": True,
            "custom_questions": [{"title": "Workshop", "value": "1"}],
        }
        added = zoom.call("POST", f"/meetings/{meeting_id}/registrants", json=person)
        check(spec, "add_registrant", added)
        check(
            spec,
            "add_registrant",
            zoom.call(
                "POST",
                f"/meetings/{meeting_id}/registrants",
                json={"email": "p@example.org", "first_name": "P"},
            ),
        )
        batch = {
            "auto_approve": True,
            "registrants": [{"email": f"b{n}@example.org", "first_name": "B"} for n in range(3)],
        }
        check(
            spec,
            "batch_registrants",
            zoom.call("POST", f"/meetings/{meeting_id}/batch_registrants", json=batch),
        )
        for status in ("approved", "pending", "denied"):
            check(
                spec,
                "list_registrants",
                zoom.call(
                    "GET", f"/meetings/{meeting_id}/registrants", params={"status": status, "page_size": 2}
                ),
            )
        registrant_id = added.json()["registrant_id"]
        check(spec, "get_registrant", zoom.call("GET", f"/meetings/{meeting_id}/registrants/{registrant_id}"))
        check(
            spec,
            "update_status",
            zoom.call(
                "PUT",
                f"/meetings/{meeting_id}/registrants/status",
                json={"action": "deny", "registrants": [{"id": registrant_id}]},
            ),
        )
        check(
            spec,
            "delete_registrant",
            zoom.call("DELETE", f"/meetings/{meeting_id}/registrants/{registrant_id}"),
        )
        check(spec, "delete_meeting", zoom.call("DELETE", f"/meetings/{meeting_id}"))
        # error statuses are documented ones too
        check(spec, "get_meeting", zoom.call("GET", f"/meetings/{meeting_id}"))
        check(spec, "list_registrants", zoom.call("GET", f"/meetings/{meeting_id}/registrants"))
