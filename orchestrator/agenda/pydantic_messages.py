"""Turn pydantic's validation errors into organiser-friendly (translated) messages."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from orchestrator.i18n import _


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """Model classes inside an annotation such as ``list[Room]`` or ``Registration | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    found: list[type[BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            found.extend(_models_in(arg))
    return found


def _model_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> type[BaseModel] | None:
    """The model class whose fields live at ``loc`` (list indices are skipped)."""
    model: type[BaseModel] | None = root
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        candidates = _models_in(info.annotation)
        model = candidates[0] if candidates else None
    return model


def _unknown_key_message(root: type[BaseModel], loc: tuple[str | int, ...]) -> str:
    key = str(loc[-1])
    model = _model_at(root, loc[:-1])
    allowed = sorted(model.model_fields) if model is not None else []
    close = difflib.get_close_matches(key, allowed, n=1)
    if close:
        return _("unknown field '{key}'; did you mean '{suggestion}'?", key=key, suggestion=close[0])
    return _("unknown field '{key}'; allowed here: {allowed}", key=key, allowed=", ".join(allowed))


# pydantic error type → our message; ``ctx`` is the error's context (limits, expected values).
_BY_KIND: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: _("this field is required"),
    "list_type": lambda ctx: _("must be a list"),
    "literal_error": lambda ctx: _("must be one of {expected}", expected=ctx.get("expected", "")),
    "string_too_short": lambda ctx: _("must not be empty"),
    "string_too_long": lambda ctx: _("must be at most {limit} characters long", limit=ctx.get("max_length")),
    "too_short": lambda ctx: _("needs at least {limit} entries", limit=ctx.get("min_length")),
    "too_long": lambda ctx: _("allows at most {limit} entries", limit=ctx.get("max_length")),
    "greater_than_equal": lambda ctx: _("must be at least {limit}", limit=ctx.get("ge")),
    "less_than_equal": lambda ctx: _("must be at most {limit}", limit=ctx.get("le")),
}
for _kind in ("string_type", "string_sub_type"):
    _BY_KIND[_kind] = lambda ctx: _("must be text")
for _kind in ("int_type", "int_parsing", "int_from_float"):
    _BY_KIND[_kind] = lambda ctx: _("must be a whole number")
for _kind in ("bool_type", "bool_parsing"):
    _BY_KIND[_kind] = lambda ctx: _("must be true or false")
for _kind in ("dict_type", "model_type", "model_attributes_type"):
    _BY_KIND[_kind] = lambda ctx: _("must be a mapping of fields (key: value)")

# Families of error types, by prefix.
_BY_PREFIX: tuple[tuple[tuple[str, ...], Callable[[], str]], ...] = (
    (("date_",), lambda: _("must be a date like 2025-08-27")),
    (
        ("datetime_", "time_"),
        lambda: _("expected a time like 09:30 or a date and time like 2025-08-27T09:30"),
    ),
)


def message_for(error: Any, root: type[BaseModel]) -> str:
    """A translated message for one entry of ``ValidationError.errors()``."""
    kind: str = error["type"]
    if kind.startswith("agenda_"):
        return str(error["msg"])  # our own, already translated
    if kind == "extra_forbidden":
        return _unknown_key_message(root, tuple(error["loc"]))
    if kind in _BY_KIND:
        return _BY_KIND[kind](error.get("ctx") or {})
    for prefixes, message in _BY_PREFIX:
        if kind.startswith(prefixes):
            return message()
    return str(error["msg"])


def problems_from(exc: ValidationError, root: type[BaseModel]) -> list[tuple[tuple[str | int, ...], str]]:
    """``(loc, message)`` for every error pydantic found."""
    return [(tuple(error["loc"]), message_for(error, root)) for error in exc.errors()]
