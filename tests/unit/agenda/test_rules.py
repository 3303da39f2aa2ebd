"""One test per validation rule: the message, the field path and the YAML line."""

from __future__ import annotations

from tests.unit.agenda.helpers import BASE, edited, line_of, load, only_problem, problems


def test_base_agenda_is_valid() -> None:
    loaded = load(BASE)
    assert loaded.warnings == []
    assert loaded.agenda.key == "test-event"
    assert [r.capacity for r in loaded.agenda.breakout_rounds] == [22, 22]


def test_unknown_timezone_abbreviation() -> None:
    text = edited("timezone: Europe/Berlin", "timezone: CET")
    problem = only_problem(text)
    assert problem.path == "timezone"
    assert problem.line == line_of(text, "timezone: CET")
    assert problem.message.startswith("unknown timezone 'CET'; use an IANA name like Europe/Berlin")


def test_unknown_timezone_name() -> None:
    text = edited("timezone: Europe/Berlin", "timezone: Europe/Bärlin")
    assert only_problem(text).path == "timezone"


def test_start_in_dst_gap_is_an_error() -> None:
    # 2030-03-31 02:00-03:00 does not exist in Europe/Berlin.
    text = edited("date: 2030-03-05", "date: 2030-03-31")
    text = text.replace('"09:00"', '"02:30"', 2)  # event start and first block start
    found = problems(text)
    assert [p.path for p in found] == ["start", "blocks[0].start"]
    start = [p for p in found if p.path == "start"]
    assert start[0].message == (
        "2030-03-31 02:30 does not exist in Europe/Berlin "
        "(the clocks skip this hour for daylight saving time)"
    )
    assert start[0].line == line_of(text, 'start: "02:30"')


def test_ambiguous_end_in_dst_fold_is_an_error() -> None:
    # 2030-10-27 02:00-03:00 happens twice in Europe/Berlin.
    text = edited("date: 2030-03-05", "date: 2030-10-27")
    text = edited('start: "09:00"\nend: "12:00"', 'start: "00:30"\nend: "12:00"', text)
    text = edited('    start: "09:00"\n    end: "09:30"', '    start: "02:15"\n    end: "09:30"', text)
    found = problems(text)
    assert [p.path for p in found] == ["blocks[0].start"]
    assert found[0].message.startswith("2030-10-27 02:15 happens twice in Europe/Berlin")
    assert found[0].line == line_of(text, 'start: "02:15"')


def test_block_outside_event() -> None:
    text = edited('    start: "11:00"\n    end: "12:00"', '    start: "11:00"\n    end: "12:30"')
    problem = only_problem(text)
    assert problem.path == "blocks[2]"
    assert problem.message == "block 'Ausblick' (11:00–12:30) lies outside the event (09:00–12:00)"
    assert problem.line == line_of(text, "title: Ausblick")


def test_overlapping_blocks_name_both() -> None:
    text = edited('    start: "11:00"\n    end: "12:00"', '    start: "10:45"\n    end: "12:00"')
    problem = only_problem(text)
    assert problem.path == "blocks[2]"
    assert problem.message == "block 'Ausblick' (10:45–12:00) overlaps block 'Workshops' (09:30–11:00)"
    assert problem.line == line_of(text, "title: Ausblick")


def test_long_block_overlapping_two_later_blocks_is_found_for_both() -> None:
    text = edited('    start: "09:00"\n    end: "09:30"', '    start: "09:00"\n    end: "11:30"')
    found = problems(text)
    assert [p.path for p in found] == ["blocks[1]", "blocks[2]"]
    assert "overlaps block 'Begrüßung' (09:00–11:30)" in found[1].message


def test_breakout_round_outside_event() -> None:
    text = edited('    start: "10:15"\n    end: "11:00"', '    start: "11:30"\n    end: "12:30"')
    found = problems(text)
    assert found[0].path == "breakout_rounds[1]"
    assert found[0].message == "breakout round 2 (11:30–12:30) lies outside the event (09:00–12:00)"
    assert found[0].line == line_of(text, "- number: 2")


def test_breakout_round_not_inside_breakout_block() -> None:
    text = edited('    start: "10:15"\n    end: "11:00"', '    start: "11:15"\n    end: "11:45"')
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[1]"
    assert problem.message == (
        "breakout round 2 (11:15–11:45) is not inside any programme block of kind 'breakout'"
    )


def test_breakout_rounds_overlapping() -> None:
    text = edited('    start: "10:15"\n    end: "11:00"', '    start: "10:00"\n    end: "11:00"')
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[1]"
    assert problem.message == "breakout round 2 (10:00–11:00) overlaps round 1 (09:30–10:15)"
    assert problem.line == line_of(text, "- number: 2")


def test_more_than_100_rooms_in_a_round() -> None:
    rooms = "".join(f"      - name: Raum {i}\n        capacity: 2\n" for i in range(101))
    start = BASE.index("    rooms:\n", BASE.index("- number: 2"))
    text = BASE[:start] + "    rooms:\n" + rooms + BASE[BASE.index("mails:") :]
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[1].rooms"
    assert problem.message == "101 rooms in one round; Zoom allows at most 100 breakout rooms"
    assert problem.line == line_of(text, "rooms:", nth=2)


def test_capacity_below_one() -> None:
    text = edited("capacity: 12", "capacity: 0")
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[0].rooms[1].capacity"
    assert problem.message == "must be at least 1"
    assert problem.line == line_of(text, "capacity: 0")
    assert problem.format("config/test.yaml") == (
        f"config/test.yaml:{problem.line}: breakout_rounds[0].rooms[1].capacity: must be at least 1"
    )


def test_moderator_in_two_rooms_of_one_round() -> None:
    text = edited("{name: Mo B, email: mo.b@example.org}", "{name: Mo A, email: MO.A@example.org}")
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[0].rooms[1].moderators[0].email"
    assert problem.message == "MO.A@example.org moderates both 'Raum B' and 'Raum A' in the same round"
    assert problem.line == line_of(text, "MO.A@example.org")


def test_same_moderator_in_two_rounds_is_fine() -> None:
    text = edited(
        "      - name: Raum B\n        capacity: 12\nmails:",
        "      - name: Raum B\n        capacity: 12\n"
        "        moderators: [{name: Mo A, email: mo.a@example.org}]\nmails:",
    )
    assert load(text).agenda.round(2).room("Raum B").moderators[0].name == "Mo A"


def test_duplicate_room_names_in_a_round() -> None:
    text = edited("- name: Raum B", "- name: raum  a")
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[0].rooms[1].name"
    assert problem.message == "room 'raum  a' appears twice in this round"
    assert problem.line == line_of(text, "- name: raum  a")


def test_room_name_longer_than_limit() -> None:
    text = edited("- name: Raum B", "- name: " + "B" * 51)
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[0].rooms[1].name"
    assert problem.message == "must be at most 50 characters long"


def test_event_longer_than_24_hours() -> None:
    text = edited('end: "12:00"', 'end: "2030-03-06T12:00"')
    problem = only_problem(text)
    assert problem.path == "end"
    assert problem.message == "the event lasts longer than 24 hours; Zoom allows at most 24 hours"
    assert problem.line == line_of(text, 'end: "2030-03-06T12:00"')


def test_end_before_start() -> None:
    text = edited('end: "12:00"', 'end: "08:00"')
    found = problems(text)
    assert found[0].path == "end"
    assert found[0].message == "the event must end after it starts (09:00)"
    assert found[0].line == line_of(text, 'end: "08:00"')


def test_start_must_be_on_event_date() -> None:
    text = edited('start: "09:00"\nend', 'start: "2030-03-04T23:00"\nend')
    found = problems(text)
    assert found[0].path == "start"
    assert found[0].message == "must be on the event date 2030-03-05"


def test_duplicate_round_numbers() -> None:
    text = edited("- number: 2", "- number: 1")
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[1].number"
    assert problem.message == "round number 1 is used twice"
    assert problem.line == line_of(text, "- number: 1", nth=2)


def test_reminder_offsets_must_be_positive() -> None:
    text = edited('reminders: ["1h", "1d"]', 'reminders: ["1h", "0m", "soon"]')
    found = problems(text)
    assert [(p.path, p.message) for p in found] == [
        ("mails.reminders[1]", "must be longer than zero"),
        ("mails.reminders[2]", "expected a duration like 7d, 1d12h, 2h or 30m, got 'soon'"),
    ]
    assert found[0].line == line_of(text, "reminders:")


def test_reminders_are_sorted_longest_first() -> None:
    import datetime as dt

    reminders = load(BASE).agenda.mails.reminders
    assert reminders == [dt.timedelta(days=1), dt.timedelta(hours=1)]


def test_default_language_must_be_offered() -> None:
    text = BASE + "languages: [en]\ndefault_language: de\n"
    problem = only_problem(text)
    assert problem.path == "default_language"
    assert problem.message == "'de' is not one of the languages en"
    assert problem.line == line_of(text, "default_language: de")


def test_invalid_key() -> None:
    text = edited("key: test-event", "key: Test Event")
    problem = only_problem(text)
    assert problem.path == "key"
    assert problem.line == 1
    assert "lowercase letters, digits and hyphens" in problem.message


def test_invalid_email_and_missing_field_are_reported_together() -> None:
    text = edited("contact_email: info@example.org", "contact_email: info-at-example.org")
    text = edited("title: Testtag\n", "", text)
    found = problems(text)
    assert [p.path for p in found] == ["title", "organiser.contact_email"]
    assert found[0].message == "this field is required"
    assert found[0].line is None
    assert found[1].message.startswith("info-at-example.org is not a valid e-mail address")
    assert found[1].line == line_of(text, "contact_email:")


def test_all_rule_problems_are_collected() -> None:
    text = edited("- name: Raum B", "- name: Raum A")
    text = edited('    start: "11:00"\n    end: "12:00"', '    start: "10:45"\n    end: "12:00"', text)
    text = edited("- number: 2", "- number: 1", text)
    found = problems(text)
    assert [p.path for p in found] == [
        "blocks[2]",
        "breakout_rounds[0].rooms[1].name",
        "breakout_rounds[1].number",
    ]


def test_all_shape_problems_are_collected() -> None:
    # Field-level problems are all reported at once; the rules relating fields to each other run
    # once every field has a usable value.
    text = edited("capacity: 12", "capacity: 0")
    text = edited("timezone: Europe/Berlin", "timezone: EST", text)
    text = edited("kind: outlook", "kind: outro", text)
    found = problems(text)
    assert [p.path for p in found] == ["timezone", "blocks[2].kind", "breakout_rounds[0].rooms[1].capacity"]


def test_error_text_lists_every_problem_with_file_and_line() -> None:
    import pytest

    from orchestrator.agenda import AgendaError
    from orchestrator.errors import BadInput

    text = edited("capacity: 12", "capacity: 0")
    text = edited("capacity: 10", "capacity: -1", text)
    with pytest.raises(AgendaError) as caught:
        load(text)
    assert isinstance(caught.value, BadInput)
    assert caught.value.exit_code == 2
    rendered = str(caught.value)
    assert rendered.splitlines()[0] == "The agenda config/test.yaml has 2 problems:"
    line = line_of(text, "capacity: 0")
    assert f"config/test.yaml:{line}: breakout_rounds[0].rooms[1].capacity: must be at least 1" in rendered
    line = line_of(text, "capacity: -1")
    assert f"config/test.yaml:{line}: breakout_rounds[0].rooms[0].capacity" in rendered


def test_messages_are_german_by_default_language() -> None:
    from orchestrator.i18n import language

    text = edited("capacity: 12", "capacity: 0")
    with language("de"):
        problem = only_problem(text)
    assert problem.message == "muss mindestens 1 sein"
