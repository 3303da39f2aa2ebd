"""``orchestrator db``: create and migrate the store."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from orchestrator.cli import output
from orchestrator.cli.options import JsonOption
from orchestrator.cli.state import runtime
from orchestrator.db import migrate
from orchestrator.db.session import make_engine
from orchestrator.errors import OperationFailed
from orchestrator.i18n import _

app = typer.Typer(help="The store (database).", no_args_is_help=True)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("upgrade")
def upgrade(as_json: JsonOption = False) -> None:
    """Create the store or migrate it to the newest schema."""

    def action() -> dict[str, Any]:
        url = runtime().settings.database_url
        engine = make_engine(url)
        try:
            before = migrate.current_revision(engine)
        finally:
            engine.dispose()
        try:
            migrate.upgrade(url)
        except Exception as exc:
            raise OperationFailed(_("The store could not be migrated: {error}", error=str(exc))) from exc
        after = migrate.head_revision(url)
        return {
            "database": _safe_url(url),
            "from_revision": before,
            "to_revision": after,
            "changed": before != after,
        }

    def render(result: dict[str, Any]) -> None:
        if result["changed"]:
            output.say(
                _(
                    "Store {db} migrated from {old} to {new}.",
                    db=result["database"],
                    old=result["from_revision"] or "-",
                    new=result["to_revision"],
                )
            )
        else:
            output.say(
                _("Store {db} is up to date ({rev}).", db=result["database"], rev=result["to_revision"])
            )

    output.run_command(as_json, action, render)


@app.command("status")
def status(as_json: JsonOption = False) -> None:
    """Show the store's schema revision and whether it is current."""

    def action() -> dict[str, Any]:
        url = runtime().settings.database_url
        engine = make_engine(url)
        try:
            current = migrate.current_revision(engine)
        finally:
            engine.dispose()
        head = migrate.head_revision(url)
        return {"database": _safe_url(url), "revision": current, "head": head, "up_to_date": current == head}

    def render(result: dict[str, Any]) -> None:
        state = _("up to date") if result["up_to_date"] else _("needs 'orchestrator db upgrade'")
        output.say(f"{result['database']}: {result['revision'] or '-'} ({state})")

    output.run_command(as_json, action, render)


@app.command("revision", hidden=True)
def revision(message: Annotated[str, typer.Option("-m", "--message")], autogenerate: bool = True) -> None:
    """(Developers) Create a new migration from the models."""
    from alembic import command

    command.revision(
        migrate.alembic_config(runtime().settings.database_url), message=message, autogenerate=autogenerate
    )
