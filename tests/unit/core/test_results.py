"""The one serialiser of use-case results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from orchestrator.results import OMIT, to_jsonable


class Colour(enum.Enum):
    RED = "red"


@dataclass(frozen=True)
class Inner:
    when: datetime
    path: Path


@dataclass(frozen=True)
class Outer:
    name: str
    inner: Inner
    items: tuple[Inner, ...]
    colour: Colour
    wait: timedelta
    maybe: object = OMIT
    secret: str = field(default="x", metadata={"json": False})
    extra: dict[str, object] = field(default_factory=dict)


def test_dataclasses_become_objects_in_field_order() -> None:
    when = datetime(2025, 8, 27, 7, 30, tzinfo=UTC)
    inner = Inner(when, Path("/tmp/a"))
    data = to_jsonable(
        Outer("n", inner, (inner,), Colour.RED, timedelta(seconds=1.5), extra={"k": OMIT, "v": 1})
    )
    assert list(data) == ["name", "inner", "items", "colour", "wait", "extra"]
    assert data["inner"] == {"when": "2025-08-27T07:30:00+00:00", "path": "/tmp/a"}
    assert data["items"] == [data["inner"]]
    assert (data["colour"], data["wait"], data["extra"]) == ("red", 1.5, {"v": 1})
    assert "secret" not in data and "maybe" not in data


def test_omit_is_falsy_and_a_singleton() -> None:
    assert not OMIT and type(OMIT)() is OMIT and repr(OMIT) == "OMIT"
