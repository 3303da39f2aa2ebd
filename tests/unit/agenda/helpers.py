"""A small valid agenda as text, and helpers to break it in one place and find the line."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.agenda import AgendaError, AgendaProblem, LoadedAgenda, parse_agenda_text

NOW = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
SOURCE = "config/test.yaml"

BASE = """\
key: test-event
title: Testtag
organiser:
  name: Forum
  contact_email: info@example.org
timezone: Europe/Berlin
date: 2030-03-05
start: "09:00"
end: "12:00"
blocks:
  - title: Begrüßung
    kind: welcome
    start: "09:00"
    end: "09:30"
  - title: Workshops
    kind: breakout
    start: "09:30"
    end: "11:00"
  - title: Ausblick
    kind: outlook
    start: "11:00"
    end: "12:00"
breakout_rounds:
  - number: 1
    title: Runde 1
    start: "09:30"
    end: "10:15"
    rooms:
      - name: Raum A
        capacity: 10
        moderators:
          - {name: Mo A, email: mo.a@example.org}
      - name: Raum B
        capacity: 12
        moderators:
          - {name: Mo B, email: mo.b@example.org}
  - number: 2
    title: Runde 2
    start: "10:15"
    end: "11:00"
    rooms:
      - name: Raum A
        capacity: 10
      - name: Raum B
        capacity: 12
mails:
  reminders: ["1h", "1d"]
"""


def edited(old: str, new: str, text: str = BASE) -> str:
    """``text`` with the first ``old`` replaced by ``new`` (which must be present)."""
    assert old in text, old
    return text.replace(old, new, 1)


def line_of(text: str, snippet: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``snippet``."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if snippet in line]
    assert len(hits) >= nth, snippet
    return hits[nth - 1]


def load(text: str, *, now: dt.datetime = NOW, allow_past: bool = False) -> LoadedAgenda:
    return parse_agenda_text(text, SOURCE, now=now, allow_past=allow_past)


def problems(text: str) -> list[AgendaProblem]:
    with pytest.raises(AgendaError) as caught:
        load(text)
    return caught.value.problems


def only_problem(text: str) -> AgendaProblem:
    found = problems(text)
    assert len(found) == 1, found
    return found[0]
