"""``orchestrator users``: accounts of the web interface and per-event moderator links.

Passwords are typed at a hidden prompt (twice) or read from standard input with
``--password-stdin``; they are never taken as a command-line argument (shell history, ``ps``).
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from orchestrator.cli import output
from orchestrator.cli.options import JsonOption
from orchestrator.cli.state import runtime
from orchestrator.db.models import UserRole
from orchestrator.errors import BadInput
from orchestrator.events import resolve_event
from orchestrator.i18n import _
from orchestrator.web.ui import accounts

app = typer.Typer(help="Web interface: accounts and moderator links.", no_args_is_help=True)

PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input (one line).")
]


def read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin, or typed twice at a hidden prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = typer.prompt(_("Password"), hide_input=True)
    second = typer.prompt(_("Repeat the password"), hide_input=True)
    if first != second:
        raise BadInput(_("The two passwords differ. Nothing was changed."))
    return str(first)


def base_url() -> str:
    """Where the web interface is reached: ``ORCHESTRATOR_PUBLIC_URL`` or the local HTTP address."""
    settings = runtime().settings
    if settings.public_url:
        return settings.public_url
    return f"http://{settings.http_host}:{settings.http_port}"


@app.command("add")
def add_command(
    email: Annotated[str, typer.Argument(help="E-mail address (the login name).")],
    role: Annotated[str, typer.Option("--role", help="organiser or moderator.")] = UserRole.ORGANISER,
    event: Annotated[
        str | None, typer.Option("--event", metavar="KEY", help="The moderator's event.")
    ] = None,
    password_stdin: PasswordStdinOption = False,
    as_json: JsonOption = False,
) -> None:
    """Create an account (organisers see every event, moderators the console of their event)."""

    def action() -> dict[str, Any]:
        if role not in UserRole.ALL:
            raise BadInput(_("Unknown role '{role}'; use organiser or moderator.", role=role))
        rt = runtime()
        with rt.session() as session:
            scope = resolve_event(session, event) if role == UserRole.MODERATOR else None
            user = accounts.create_user(session, email, read_password(password_stdin), role, scope)
            session.commit()
            return {"email": user.email, "role": user.role, "event": scope.key if scope else None}

    def render(result: dict[str, Any]) -> None:
        output.say(_("Account created: {email} ({role}).", email=result["email"], role=result["role"]))

    output.run_command(as_json, action, render)


@app.command("password")
def password_command(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")],
    password_stdin: PasswordStdinOption = False,
    as_json: JsonOption = False,
) -> None:
    """Set a new password."""

    def action() -> dict[str, Any]:
        with runtime().session() as session:
            user = accounts.set_password(session, email, read_password(password_stdin))
            session.commit()
            return {"email": user.email}

    def render(result: dict[str, Any]) -> None:
        output.say(_("Password changed for {email}.", email=result["email"]))

    output.run_command(as_json, action, render)


def _set_active(email: str, active: bool, as_json: bool) -> None:
    def action() -> dict[str, Any]:
        with runtime().session() as session:
            user = accounts.set_active(session, email, active)
            session.commit()
            return {"email": user.email, "active": user.active}

    def render(result: dict[str, Any]) -> None:
        text = _("{email} can log in again.") if result["active"] else _("{email} can no longer log in.")
        output.say(text.format(email=result["email"]))

    output.run_command(as_json, action, render)


@app.command("disable")
def disable_command(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")], as_json: JsonOption = False
) -> None:
    """Stop an account from logging in (its open sessions end at once)."""
    _set_active(email, False, as_json)


@app.command("enable")
def enable_command(
    email: Annotated[str, typer.Argument(help="E-mail address of the account.")], as_json: JsonOption = False
) -> None:
    """Let a disabled account log in again."""
    _set_active(email, True, as_json)


@app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """All accounts."""

    def action() -> list[dict[str, Any]]:
        with runtime().session() as session:
            return accounts.list_users(session)

    def render(rows: list[dict[str, Any]]) -> None:
        output.table(
            _("Accounts"),
            [_("E-mail address"), _("Role"), _("Event"), _("Active"), _("Last login")],
            [
                (
                    r["email"],
                    r["role"],
                    r["event"] or "-",
                    _("yes") if r["active"] else _("no"),
                    r["last_login_at"] or "-",
                )
                for r in rows
            ],
        )

    output.run_command(as_json, action, render)


def link_expiry(text: str, now: datetime, timezone: str) -> datetime:
    """End of validity from ``--valid-for``: a duration (``36h``, ``2d``, ``90m``) or a last day
    (``2025-08-28``: valid until that day ends in the event's time zone)."""
    value = text.strip().lower()
    units = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
    if len(value) >= 2 and value[-1] in units and value[:-1].isdigit() and int(value[:-1]) > 0:
        return now + int(value[:-1]) * units[value[-1]]
    try:
        last_day = date.fromisoformat(value)
    except ValueError:
        raise BadInput(
            _("'{value}' is neither a duration like 36h, 2d or 90m nor a date like 2025-08-28.", value=text)
        ) from None
    end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=ZoneInfo(timezone))
    return end.astimezone(UTC)


@app.command("moderator-link")
def moderator_link_command(
    event: Annotated[str | None, typer.Option("--event", metavar="KEY", help="Event key.")] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="Only revoke the current link.")] = False,
    valid_for: Annotated[
        str | None,
        typer.Option(
            "--valid-for",
            metavar="DURATION|DATE",
            help="Valid for this long (36h, 2d, 90m) or until the end of this day (2025-08-28).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Make a new moderator link for an event (the previous link stops working)."""

    def action() -> dict[str, Any]:
        rt = runtime()
        now = rt.clock.now()
        with rt.session() as session:
            scope = resolve_event(session, event)
            if revoke:
                revoked = accounts.revoke_moderator_links(session, scope, now)
                session.commit()
                return {"event": scope.key, "revoked": revoked, "url": None, "expires_at": None}
            expires_at = link_expiry(valid_for, now, scope.timezone) if valid_for is not None else None
            issued = accounts.issue_moderator_link(session, scope, now, expires_at)
            session.commit()
            # The link is a credential: printed once on request, like 'registrants show --reveal-link'.
            return {
                "event": scope.key,
                "revoked": issued.revoked,
                "url": issued.url(base_url()),
                "expires_at": expires_at.isoformat() if expires_at else None,
            }

    def render(result: dict[str, Any]) -> None:
        if result["url"] is None:
            output.say(
                _(
                    "{count} moderator links revoked for {event}.",
                    count=result["revoked"],
                    event=result["event"],
                )
            )
            return
        output.say(
            _(
                "Moderator link for {event} (share it only with the moderators; a new link replaces it):",
                event=result["event"],
            )
        )
        output.console.print(result["url"], soft_wrap=True, highlight=False, markup=False)
        if result["expires_at"]:
            shown = result["expires_at"][:16].replace("T", " ")
            output.say(_("The link is valid until {time} (UTC).", time=shown))

    output.run_command(as_json, action, render)
