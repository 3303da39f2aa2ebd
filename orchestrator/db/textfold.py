"""Case-insensitive text search that folds every letter, not only ASCII, on SQLite and PostgreSQL.

SQLite's ``lower()`` folds ASCII only ("Özdemir" stays "Özdemir"), so a search for "özdemir" would
miss it. :func:`folded` is one SQL expression with one meaning on both databases:

* PostgreSQL: ``replace(lower(x), 'ß', 'ss')`` (``lower()`` follows the database's ``LC_CTYPE``;
  with a ``C`` locale it, too, folds ASCII only).
* SQLite: ``orchestrator_fold(x)``, a deterministic Python function registered on every
  connection by :func:`orchestrator.db.session.make_engine` (:func:`register_sqlite`).

:func:`fold` does the same to the search text in Python, so "Straße", "STRASSE" and "strasse"
find each other, and "ÖZDEMIR" finds "Özdemir". Accents are kept: "josé" finds "José", not "Jose".
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import String, func
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

SQLITE_FUNCTION = "orchestrator_fold"


def fold(text: str | None) -> str | None:
    """Lower case, with ß as ss (what the SQL of :func:`folded` does on both databases)."""
    if text is None:
        return None
    return text.lower().replace("ß", "ss")


def register_sqlite(dbapi_connection: Any) -> None:
    """Make ``orchestrator_fold(x)`` known to one SQLite connection (deterministic: usable in indexes)."""
    dbapi_connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)


class folded(FunctionElement[str]):  # lower case: used like a SQL function, folded(Person.last_name)
    """``x`` folded for a case-insensitive comparison (see the module docstring)."""

    type = String()
    inherit_cache = True
    name = "folded"


@compiles(folded)
def _folded_default(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    (argument,) = list(element.clauses)
    expression: ColumnElement[str] = func.replace(func.lower(argument), "ß", "ss")
    return compiler.process(expression, **kw)


@compiles(folded, "sqlite")
def _folded_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"{SQLITE_FUNCTION}({compiler.process(element.clauses, **kw)})"
