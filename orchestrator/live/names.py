"""Folding people's names so a Zoom screen name can be compared with a registered name.

Decisions (documented because matching depends on them):

* Case is folded (``casefold``; ``ß`` becomes ``ss``). Accents are stripped (``é`` → ``e``).
* Umlauts in both spellings: every name gets two spellings, the German one (``ä`` → ``ae``,
  ``ö`` → ``oe``, ``ü`` → ``ue``) and the stripped one (``ä`` → ``a``). Two names are equal when
  either spelling agrees, so a registered "Müller" fits the screen names "Mueller", "Muller" and
  "MÜLLER", and a registered "Mueller" fits "Müller" (but not "Muller": nothing says that "u" was an
  umlaut). A name with umlauts written in mixed spellings ("Müller-Ludenscheidt" for
  "Müller-Lüdenscheidt") does not fit and is left to the host.
* Hyphens, dots, commas and other punctuation separate words; apostrophes join them (O'Brien =
  OBrien). Word order is ignored, so "Nachname, Vorname" fits "Vorname Nachname".
* Academic and courtesy titles (Dr., Prof., Dipl.-Ing., Herr, Frau …) are dropped.
* Bracketed parts ("(Gast)", "(sie/ihr)", "[ACME]") are dropped, and a suffix after a separator
  such as " | " or " - " ("Petra Müller | ACME") is tried away as well.

:func:`name_keys` gives the exact keys (two spellings); :func:`partially_fits` finds hints
(shortened names, "Petra M.", "iPad von Petra") that the host may confirm, never matches.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NameKey = tuple[str, ...]

TITLE_WORDS = frozenset(
    {
        "dr", "prof", "professor", "dipl", "ing", "med", "dent", "vet", "rer", "nat", "pol", "oec",
        "phil", "jur", "theol", "habil", "mag", "kfm", "kffr", "herr", "frau", "hr", "fr", "mr",
        "mrs", "ms", "phd", "mba", "msc", "bsc", "llm",
    }
)  # fmt: skip
# Words in screen names that are not part of anybody's name (devices, "Gast").
NOISE_WORDS = frozenset(
    {
        "ipad", "iphone", "android", "galaxy", "samsung", "huawei", "pixel", "laptop", "macbook",
        "pc", "handy", "tablet", "smartphone", "von", "of", "gast", "guest", "zoom", "user",
        "teilnehmer", "teilnehmerin", "participant",
    }
)  # fmt: skip
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)
_GERMAN_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
_BRACKETED = re.compile(r"[(\[{][^)\]}]*(?:[)\]}]|$)")
_SUFFIX_SEPARATOR = re.compile(r"\s[|/–—-]\s|\||•|@")
_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
MAX_NAME_CHARS = 300


def _strip_marks(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _words(text: str, *, german: bool) -> tuple[str, ...]:
    folded = unicodedata.normalize("NFC", text).casefold().translate(_SPECIAL_LETTERS)
    if german:
        folded = folded.translate(_GERMAN_UMLAUTS)
    plain = _APOSTROPHES.sub("", _strip_marks(folded))
    return tuple(w for w in _NON_WORD.split(plain) if w and w not in TITLE_WORDS)


def _variants(text: str) -> list[str]:
    """The name as written (brackets dropped) and, if it has one, without its trailing suffix."""
    cleaned = _BRACKETED.sub(" ", unicodedata.normalize("NFKC", text[:MAX_NAME_CHARS]))
    variants = [cleaned]
    head = _SUFFIX_SEPARATOR.split(cleaned, maxsplit=1)[0]
    if head.strip() and head != cleaned:
        variants.append(head)
    return variants


@dataclass(frozen=True)
class FoldedName:
    """Exact keys (sorted words, both spellings) and hint words of one name."""

    keys: frozenset[NameKey]
    words: frozenset[str]


def fold_name(text: str) -> FoldedName:
    """Exact keys and words of a name (empty when nothing name-like is left)."""
    keys: set[NameKey] = set()
    words: set[str] = set()
    for variant in _variants(text):
        for german in (True, False):
            found = _words(variant, german=german)
            if found:
                keys.add(tuple(sorted(found)))
                words.update(found)
    return FoldedName(frozenset(keys), frozenset(words))


def name_keys(text: str) -> frozenset[NameKey]:
    """The exact keys of a name; two names fit each other when their keys intersect."""
    return fold_name(text).keys


def hint_words(folded: FoldedName) -> frozenset[str]:
    """The words of a screen name that could be part of a person's name (no devices, no titles)."""
    return frozenset(w for w in folded.words if w not in NOISE_WORDS)


def person_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".strip()


def _partial(screen_words: frozenset[str], person_words: frozenset[str]) -> bool:
    if not screen_words or not person_words:
        return False
    if person_words <= screen_words:
        return True
    whole = False
    for word in screen_words:
        if word in person_words:
            whole = True
        elif not (len(word) == 1 and any(p.startswith(word) for p in person_words)):
            return False
    return whole


def partially_fits(screen: FoldedName, person: FoldedName) -> bool:
    """Whether a screen name could be a shortened or decorated form of a person's name (a hint only).

    For some spelling of each: every screen word (devices and "Gast" left out) is one of the
    person's words or an initial of one ("Petra M."), at least one being a whole word; or the
    screen name contains all of the person's words ("Anna Becker 2").
    """
    screen_sets = [frozenset(w for w in key if w not in NOISE_WORDS) for key in screen.keys]
    person_sets = [frozenset(key) for key in person.keys]
    return any(_partial(s, p) for s in screen_sets for p in person_sets)
