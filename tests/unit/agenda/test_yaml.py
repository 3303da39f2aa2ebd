"""YAML problems: syntax errors with line/column, unknown and duplicate keys, files that are not agendas."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.agenda import AgendaError, load_agenda
from tests.unit.agenda.helpers import BASE, NOW, edited, line_of, load, only_problem, problems


def test_broken_yaml_gives_line_and_column_not_a_traceback() -> None:
    text = edited("  name: Forum\n", "  name: Forum: e.V.\n")
    problem = only_problem(text)
    assert problem.path == ""
    assert (problem.line, problem.column) == (line_of(text, "Forum: e.V."), 14)
    assert problem.message == "YAML syntax error: mapping values are not allowed here"
    assert problem.format("config/test.yaml") == (
        f"config/test.yaml:{problem.line}:14: YAML syntax error: mapping values are not allowed here"
    )


def test_tab_indentation_is_a_syntax_error_with_position() -> None:
    text = edited("  name: Forum\n", "\tname: Forum\n")
    problem = only_problem(text)
    assert problem.line == line_of(text, "name: Forum")
    assert problem.message.startswith("YAML syntax error:")


def test_unknown_key_is_an_error_with_suggestion() -> None:
    text = edited("capacity: 12", "capacity: 12\n        capcity: 3")
    problem = only_problem(text)
    assert problem.path == "breakout_rounds[0].rooms[1].capcity"
    assert problem.message == "unknown field 'capcity'; did you mean 'capacity'?"
    assert problem.line == line_of(text, "capcity: 3")


def test_unknown_top_level_key_lists_allowed_fields() -> None:
    text = BASE + "xyzzy: 1\n"
    problem = only_problem(text)
    assert problem.path == "xyzzy"
    assert problem.message.startswith("unknown field 'xyzzy'; allowed here: blocks, breakout_rounds,")


def test_duplicate_key_is_reported() -> None:
    text = edited("title: Testtag\n", "title: Testtag\ntitle: Nochmal\n")
    problem = only_problem(text)
    assert problem.path == "title"
    assert problem.line == line_of(text, "title: Nochmal")
    assert problem.message == f"the key appears twice (first on line {line_of(text, 'title: Testtag')})"


def test_unquoted_times_are_not_read_as_base_60_numbers() -> None:
    text = BASE.replace('"', "")  # start: 13:00 would be the integer 780 in YAML 1.1
    loaded = load(text)
    assert loaded.agenda.round(2).start.strftime("%H:%M") == "10:15"
    assert loaded.agenda.mails.reminders[0].days == 1


def test_bad_time_and_bad_date_name_their_field() -> None:
    text = edited('end: "12:00"', 'end: "25:00"')
    text = edited("date: 2030-03-05", "date: 2030-13-05", text)
    found = problems(text)  # the date and the one broken time, not every time of the day
    assert [(p.path, p.line) for p in found] == [("date", 7), ("end", 9)]
    assert found[0].message == "must be a date like 2025-08-27"
    text = edited('end: "12:00"', 'end: "25:00"')
    problem = only_problem(text)
    assert problem.path == "end"
    assert problem.message == "expected a time like 09:30 or a date and time like 2025-08-27T09:30"


def test_wrong_literal_value() -> None:
    text = edited("kind: outlook", "kind: outro")
    problem = only_problem(text)
    assert problem.path == "blocks[2].kind"
    assert problem.message.startswith("must be one of 'welcome', 'keynote'")


def test_empty_and_non_mapping_files() -> None:
    assert only_problem("").message == "the agenda file is empty"
    assert only_problem("- a\n- b\n").message == (
        "the agenda must be a mapping of fields (key: value) at the top level"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(AgendaError) as caught:
        load_agenda(tmp_path / "nope.yaml", now=NOW)
    assert caught.value.exit_code == 2
    assert str(caught.value).endswith(f"{tmp_path / 'nope.yaml'}: the agenda file does not exist")


def test_file_with_bom_loads_and_latin1_is_refused(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load_agenda(good, now=NOW).source == good
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(BASE.encode("latin-1"))
    with pytest.raises(AgendaError) as caught:
        load_agenda(bad, now=NOW)
    assert caught.value.problems[0].line == line_of(BASE, "Begrüßung")
