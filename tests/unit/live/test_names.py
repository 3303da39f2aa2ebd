"""Name folding: umlauts both ways, accents, order, titles, brackets, suffixes; partial fits."""

from __future__ import annotations

import pytest

from orchestrator.live.names import fold_name, name_keys, partially_fits


def fits(a: str, b: str) -> bool:
    return bool(name_keys(a) & name_keys(b))


@pytest.mark.parametrize(
    ("registered", "screen"),
    [
        ("Petra Müller", "Petra Mueller"),
        ("Petra Müller", "Petra Muller"),
        ("Petra Müller", "PETRA MÜLLER"),
        ("Petra Mueller", "Petra Müller"),
        ("Jörg Weiß", "Joerg Weiss"),
        ("Jörg Weiß", "jorg weiss"),
        ("José Núñez", "Jose Nunez"),
        ("Anna-Lena Schmidt", "Anna Lena Schmidt"),
        ("Anna-Lena Schmidt", "anna-lena  schmidt"),
        ("Petra Müller", "Müller, Petra"),
        ("Petra Müller", "Müller Petra"),
        ("Petra Müller", "Dr. Petra Müller"),
        ("Hans Meier", "Prof. Dr.-Ing. Hans Meier"),
        ("Hans Meier", "Dipl.-Ing. Hans Meier"),
        ("Petra Müller", "Petra Müller (Gast)"),
        ("Petra Müller", "Petra Müller (sie/ihr)"),
        ("Petra Müller", "Petra Müller | ACME GmbH"),
        ("Petra Müller", "Petra Müller - ACME"),
        ("Seán O'Brien", "Sean OBrien"),
        ("Bjørn Ødegård", "Bjorn Odegard"),
        ("Dr. Petra Müller", "Petra Müller"),
    ],
)
def test_names_that_fit(registered: str, screen: str) -> None:
    assert fits(registered, screen)


@pytest.mark.parametrize(
    ("registered", "screen"),
    [
        ("Petra Mueller", "Petra Muller"),  # no evidence that "u" was an umlaut
        ("Petra Müller", "Petra"),
        ("Petra Müller", "Petra M."),
        ("Petra Müller", "iPad von Petra"),
        ("Petra Müller", "Petra Müller-Schulz"),
        ("Anna Becker", "Anna Becker 2"),
        ("Petra Müller", ""),
        ("Petra Müller", "Dr."),
    ],
)
def test_names_that_do_not_fit_exactly(registered: str, screen: str) -> None:
    assert not fits(registered, screen)


def test_titles_only_or_punctuation_only_fold_to_nothing() -> None:
    assert fold_name("Dr. Prof.").keys == frozenset()
    assert fold_name(" -- () ").keys == frozenset()


@pytest.mark.parametrize(
    ("screen", "expected"),
    [
        ("Petra M.", True),
        ("iPad von Petra", True),
        ("Petra", True),
        ("Müller", True),
        ("Petra Müller ACME", True),
        ("M.", False),
        ("Anna", False),
        ("Petra K.", False),
        ("", False),
    ],
)
def test_partial_fits_are_hints(screen: str, expected: bool) -> None:
    assert partially_fits(fold_name(screen), fold_name("Petra Müller")) is expected


def test_very_long_names_are_cut() -> None:
    assert len(fold_name("a" * 100_000).words) == 1
    assert max(len(w) for w in fold_name("a" * 100_000).words) <= 300
