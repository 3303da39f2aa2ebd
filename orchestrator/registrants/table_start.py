"""Find where the registrant table starts when a report puts a block above it.

Zoom's registration report (web portal → Reports → Registration, CSV) opens with a block about the
meeting ("Topic", "ID", "Start Time", "Duration (Minutes)", …), a blank line, and only then the
registrant table. The reader takes the first non-empty row as the header; when that row does not
name the required columns, the rows below it (up to ``PREAMBLE_LINES``) are tried in turn, and the
first one that does becomes the header. Row numbers stay those of the file, so every message still
names the line the organiser sees in Excel or an editor.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.registrants.headers import BadMapOption, HeaderMap, MissingColumns, map_headers
from orchestrator.registrants.reader import PREAMBLE_LINES, RawTable, trim_headers


def locate_table(table: RawTable, overrides: Mapping[str, str] | None = None) -> tuple[RawTable, HeaderMap]:
    """The table below any preamble, and its column map (``overrides`` as for :func:`map_headers`).

    The first row wins when it names the required columns (the usual export). Otherwise the first
    of the next ``PREAMBLE_LINES`` rows that does becomes the header; the rows above it are dropped
    (they describe the meeting, not people). When no row qualifies, the error for the first row is
    raised, unchanged: it names the columns the organiser sees at the top of the file.
    :class:`~orchestrator.registrants.headers.AmbiguousColumns` from a qualifying row is raised as is.
    """
    try:
        return table, map_headers(table.headers, overrides)
    except (MissingColumns, BadMapOption) as first_error:
        for index, candidate in enumerate(table.rows[:PREAMBLE_LINES]):
            headers = trim_headers([value.strip() for value in candidate.values])
            try:
                header_map = map_headers(headers, overrides)
            except (MissingColumns, BadMapOption):
                continue
            below = RawTable(
                headers=headers,
                rows=table.rows[index + 1 :],
                encoding=table.encoding,
                delimiter=table.delimiter,
                source=table.source,
                empty_rows=[n for n in table.empty_rows if n > candidate.number],
                sheet=table.sheet,
                header_row=candidate.number,
            )
            return below, header_map
        raise first_error
