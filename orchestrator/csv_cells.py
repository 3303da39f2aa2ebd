"""Cells for the CSV files we write, safe to open in a spreadsheet program (CSV injection).

Excel, LibreOffice and Google Sheets run a cell starting with ``=``, ``+``, ``-`` or ``@`` as a
formula (``=HYPERLINK(…)``, DDE payloads), and tab or carriage return at the start can smuggle the
same past a naive check. Every CSV writer passes its text cells through :func:`csv_cell`, which
prefixes such a cell with an apostrophe (shown as text, the apostrophe hidden in Excel), as
OWASP recommends. Numbers we compute are written as numbers and need no escaping.

E-mail addresses in a file that another program reads back (Zoom's pre-assignment CSV) go
through :func:`csv_address` instead: a ``+`` or ``-`` may legally start an address, and an
apostrophe would make Zoom match nobody. Addresses starting with ``=`` or ``@`` never get into the
store (the import and the Zoom webhook refuse them), so :func:`csv_address` only has to guard
against data stored before that check.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
_ADDRESS_FORMULA_STARTS = ("=", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> str:
    """``value`` as CSV text that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_address(value: str) -> str:
    """An e-mail address for a machine-read CSV: unchanged, unless it starts like a formula and cannot
    be a sensible address (``=``, ``@``, control characters)."""
    return "'" + value if value.startswith(_ADDRESS_FORMULA_STARTS) else value
