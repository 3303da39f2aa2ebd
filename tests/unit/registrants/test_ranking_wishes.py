"""Ranking questions of form tools: one cell with every choice in order ("A;B;C;")."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.i18n import language
from orchestrator.registrants import (
    ImportBatch,
    RawRow,
    RawTable,
    build_batch,
    parse_registrations,
    read_rows,
)
from orchestrator.registrants.headers import AmbiguousColumns, map_headers, recognise
from orchestrator.registrants.parse_wishes import WorkshopMatcher, split_ranking
from tests.support import form_reports as fr

RANKING = "Bitte bringen Sie die Workshops in die Reihenfolge Ihrer Präferenz"


def _table(headers: list[str], *rows: list[str]) -> RawTable:
    return RawTable(
        headers=headers,
        rows=[RawRow(n, values, n) for n, values in enumerate(rows, start=2)],
        encoding="utf-8",
        delimiter=";",
        source=Path("forms.csv"),
    )


def _ranked(*cells: str, header: str = RANKING, workshops: tuple[str, ...] = fr.WORKSHOPS) -> ImportBatch:
    rows = [[f"P{i}", "Test", f"p{i}@example.org", cell] for i, cell in enumerate(cells)]
    return build_batch(_table(["Vorname", "Nachname", "E-Mail", header], *rows), workshops=workshops)


def test_fixture_matches_the_generator(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.xlsx"
    fr.msforms_ranking_workbook(fresh)
    committed, regenerated = read_rows(fr.MSFORMS_RANKING), read_rows(fresh)
    assert committed.headers == regenerated.headers == list(fr.MSFORMS_HEADERS)
    assert [r.values for r in committed.rows] == [r.values for r in regenerated.rows]


def test_msforms_ranking_needs_map_for_its_two_email_columns() -> None:
    with pytest.raises(AmbiguousColumns, match="--map"):
        parse_registrations(fr.MSFORMS_RANKING, workshops=fr.WORKSHOPS)


def test_msforms_ranking_gives_wishes_in_order() -> None:
    batch = parse_registrations(fr.MSFORMS_RANKING, workshops=fr.WORKSHOPS, overrides=fr.MSFORMS_MAP)
    assert batch.header_map.header("wishes_ranked") == RANKING
    got = [(r.email, r.first_name, r.last_name, r.wishes) for r in batch.records]
    assert got == [(p.email, p.first_name, p.last_name, p.wishes) for p in fr.MSFORMS_EXPECTED]
    assert batch.rejected == []
    (warning,) = batch.warnings
    row, choice = fr.MSFORMS_UNKNOWN_CHOICE
    assert (warning.row, warning.code, warning.column, warning.value_preview_safe) == (
        row,
        "unknown_ranked_wish",
        RANKING,
        f"'{choice}'",
    )


def test_unknown_choice_is_reported_and_the_person_kept() -> None:
    batch = _ranked("Kümmerei Köln;Kümerei Kön;ALIA – Agil leben im Alter;")
    (record,) = batch.records
    assert record.wishes == ("Kümmerei Köln", "ALIA – Agil leben im Alter")
    (warning,) = batch.warnings
    assert warning.hints == ("Kümmerei Köln",)
    with language("en"):
        assert "did you mean 'Kümmerei Köln'?" in warning.message
        assert "other choices are imported" in warning.message
    with language("de"):
        assert "Kümmerei Köln" in warning.message


def test_unknown_choice_without_suggestion_lists_the_workshops() -> None:
    (warning,) = _ranked("Yoga;Kümmerei Köln").warnings
    assert warning.detail == "no_suggestion"
    with language("en"):
        assert "'Caring Community Köln'" in warning.message


def test_duplicate_choice_is_reported_and_keeps_its_first_place() -> None:
    batch = _ranked("Kümmerei Köln;ALIA – Agil leben im Alter;Kuemmerei Koeln;")
    assert batch.records[0].wishes == ("Kümmerei Köln", "ALIA – Agil leben im Alter")
    (warning,) = batch.warnings
    assert (warning.code, warning.value_preview_safe) == ("duplicate_wish", "'Kümmerei Köln'")


@pytest.mark.parametrize(
    "cell",
    [
        "Caring Community Köln;Kommunale Sorgestrukturen;",
        "Caring Community Köln, Kommunale Sorgestrukturen",
        "caring community koeln ; KOMMUNALE SORGESTRUKTUREN ;;",
        "Caring Community Köln\nKommunale Sorgestrukturen\n",
    ],
)
def test_separators_and_tolerant_names(cell: str) -> None:
    batch = _ranked(cell)
    assert batch.warnings == [] and batch.rejected == []
    assert batch.records[0].wishes == ("Caring Community Köln", "Kommunale Sorgestrukturen")


def test_names_containing_the_separator_match_greedily() -> None:
    workshops = ("Wohnen, Pflege, Quartier", "Wohnen", "Pflege")
    matcher = WorkshopMatcher(workshops)
    ranking = split_ranking("Pflege, Wohnen, Pflege, Quartier, Wohnen,", matcher)
    assert ranking.rooms == ("Pflege", "Wohnen, Pflege, Quartier", "Wohnen")
    assert ranking.unknown == () and ranking.duplicates == ()


def test_hostile_cell_of_separators_is_cheap() -> None:
    ranking = split_ranking(";" * 50_000 + "Kümmerei Köln", WorkshopMatcher(fr.WORKSHOPS))
    assert ranking.rooms == ("Kümmerei Köln",)


def test_garbage_cell_lists_ten_unknown_choices_and_counts_the_rest() -> None:
    batch = _ranked(";".join(f"Unsinn {i}" for i in range(25)) + ";Kümmerei Köln")
    assert batch.records[0].wishes == ("Kümmerei Köln",)
    codes = [w.code for w in batch.warnings]
    assert codes == ["unknown_ranked_wish"] * 10 + ["more_unknown_choices"]
    with language("en"):
        assert batch.warnings[-1].message == "Row 2: 15 more choices of the ranking match no workshop"
    with language("de"):
        assert batch.warnings[-1].message.startswith("Zeile 2: 15 weitere Wahlen")


def test_empty_ranking_gives_no_wishes() -> None:
    batch = _ranked("", " ; ;")
    assert [r.wishes for r in batch.records] == [(), ()]
    assert batch.warnings == []


def test_ranking_follows_numbered_wishes() -> None:
    table = _table(
        ["Vorname", "Nachname", "E-Mail", "Workshop-Wunsch 1", "Workshops"],
        ["Ada", "L", "a@example.org", "Kümmerei Köln", "Kümmerei Köln;Kommunale Sorgestrukturen"],
    )
    (record,) = build_batch(table, workshops=fr.WORKSHOPS).records
    assert record.wishes == ("Kümmerei Köln", "Kommunale Sorgestrukturen")


@pytest.mark.parametrize(
    "header",
    [
        RANKING,
        "Rank the workshops in order of preference",
        "Workshops",
        "Workshop-Wünsche",
        "Rangfolge",
    ],
)
def test_ranking_headers_are_recognised(header: str) -> None:
    assert recognise(header) == "wishes_ranked"


@pytest.mark.parametrize("header", ["Workshop-Wunsch 1", "Erstwunsch", "Frank", "Krankenkasse", "Sortierung"])
def test_other_headers_are_not_taken_for_a_ranking(header: str) -> None:
    assert recognise(header) != "wishes_ranked"


def test_map_to_wishes_ranked() -> None:
    mapping = map_headers(["Vorname", "Nachname", "E-Mail", "Frage 7"], {"Frage 7": "wishes_ranked"})
    assert mapping.header("wishes_ranked") == "Frage 7"
    batch = build_batch(
        _table(["Vorname", "Nachname", "E-Mail", "Frage 7"], ["Ada", "L", "a@example.org", "Kümmerei Köln;"]),
        workshops=fr.WORKSHOPS,
        overrides={"Frage 7": "wishes_ranked"},
    )
    assert batch.records[0].wishes == ("Kümmerei Köln",)
