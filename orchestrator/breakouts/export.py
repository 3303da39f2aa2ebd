"""Files for people: Zoom's pre-assignment CSV (manual upload) and printable rosters for moderators.

Zoom's CSV has exactly two columns, ``Pre-assign Room Name`` and ``Email Address``, one line per
person. Rosters list name and organisation per room (HTML for printing, CSV for spreadsheets);
neither contains join links, and rosters contain no e-mail addresses.
"""

from __future__ import annotations

import csv
import io

from jinja2 import Environment, select_autoescape

from orchestrator.breakouts.payload import ZoomRoom
from orchestrator.breakouts.roster import RosterRoom
from orchestrator.csv_cells import csv_address, csv_cell
from orchestrator.i18n import _

ZOOM_CSV_HEADERS = ("Pre-assign Room Name", "Email Address")


def zoom_csv(rooms: list[ZoomRoom]) -> str:
    """Zoom's pre-assignment CSV for one round (UTF-8 text, CRLF line ends as Zoom's sample file)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(ZOOM_CSV_HEADERS)
    for room in rooms:
        for email in room.emails:
            writer.writerow((csv_cell(room.name), csv_address(email)))
    return buffer.getvalue()


def roster_csv(rooms: list[RosterRoom]) -> str:
    """The roster as CSV (``;``-separated, as German spreadsheet programs expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow((_("Room"), _("Role"), _("Name"), _("Organisation")))
    for room in rooms:
        for line in room.lines:
            writer.writerow(
                (
                    csv_cell(room.name),
                    csv_cell(_role(line.role, line.cancelled)),
                    csv_cell(line.name),
                    csv_cell(line.organisation),
                )
            )
    return buffer.getvalue()


_HTML = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<title>{{ heading }}</title>
<style>
body { font-family: sans-serif; font-size: 11pt; margin: 1.5em; }
section { page-break-after: always; }
section:last-child { page-break-after: auto; }
h1 { font-size: 16pt; margin: 0 0 .2em; }
h2 { font-size: 13pt; margin: .2em 0 .6em; font-weight: normal; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: .25em .5em; text-align: left; vertical-align: top; }
th { background: #eee; }
td.check { width: 2.5em; }
.moderator { font-weight: bold; }
.cancelled { text-decoration: line-through; color: #a00; }
</style>
</head>
<body>
{% for room in rooms %}
<section>
<h1>{{ room.name }}</h1>
<h2>{{ subtitle }} · {{ room.count_text }}</h2>
<table>
<thead><tr><th>#</th><th>{{ labels.name }}</th><th>{{ labels.organisation }}</th><th>{{ labels.role }}</th>
<th>{{ labels.present }}</th></tr></thead>
<tbody>
{% for line in room.lines %}
<tr class="{{ line.css }}"><td>{{ loop.index }}</td><td>{{ line.name }}</td><td>{{ line.organisation }}</td>
<td>{{ line.role }}</td><td class="check">☐</td></tr>
{% endfor %}
</tbody>
</table>
</section>
{% endfor %}
</body>
</html>
"""

_env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


def roster_html(rooms: list[RosterRoom], *, event_title: str, round_title: str, start: str, lang: str) -> str:
    """A printable roster: one page per room with name, organisation and a column to tick presence."""
    view = [
        {
            "name": room.name,
            "count_text": _("{count} of {capacity} seats", count=room.participants, capacity=room.capacity),
            "lines": [
                {
                    "name": line.name,
                    "organisation": line.organisation,
                    "role": _role(line.role, line.cancelled),
                    "css": " ".join(
                        c
                        for c in (
                            "moderator" if line.role == "moderator" else "",
                            "cancelled" if line.cancelled else "",
                        )
                        if c
                    ),
                }
                for line in room.lines
            ],
        }
        for room in rooms
    ]
    return _env.from_string(_HTML).render(
        lang=lang,
        heading=f"{event_title} – {round_title}",
        subtitle=f"{event_title} · {round_title} · {start}",
        rooms=view,
        labels={
            "name": _("Name"),
            "organisation": _("Organisation"),
            "role": _("Role"),
            "present": _("Present"),
        },
    )


def _role(role: str, cancelled: bool) -> str:
    if role == "moderator":
        return _("Moderator (cancelled)") if cancelled else _("Moderator")
    return _("Participant")
