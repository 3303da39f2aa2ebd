"""Turn pydantic's validation errors into organiser-friendly (translated) messages."""

from __future__ import annotations

import difflib
import types
import typing
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


def message_for(error: Any, root: type[BaseModel]) -> str:
    """A translated message for one entry of ``ValidationError.errors()``."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    if kind.startswith("agenda_"):
        return str(error["msg"])  # our own, already translated
    if kind == "extra_forbidden":
        return _unknown_key_message(root, tuple(error["loc"]))
    if kind == "missing":
        return _("this field is required")
    if kind in ("string_type", "string_sub_type"):
        return _("must be text")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("must be a whole number")
    if kind in ("bool_type", "bool_parsing"):
        return _("must be true or false")
    if kind.startswith("date_"):
        return _("must be a date like 2025-08-27")
    if kind.startswith("datetime_") or kind.startswith("time_"):
        return _("expected a time like 09:30 or a date and time like 2025-08-27T09:30")
    if kind == "list_type":
        return _("must be a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("must be a mapping of fields (key: value)")
    if kind == "literal_error":
        return _("must be one of {expected}", expected=ctx.get("expected", ""))
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_too_long":
        return _("must be at most {limit} characters long", limit=ctx.get("max_length"))
    if kind == "too_short":
        return _("needs at least {limit} entries", limit=ctx.get("min_length"))
    if kind == "too_long":
        return _("allows at most {limit} entries", limit=ctx.get("max_length"))
    if kind == "greater_than_equal":
        return _("must be at least {limit}", limit=ctx.get("ge"))
    if kind == "less_than_equal":
        return _("must be at most {limit}", limit=ctx.get("le"))
    return str(error["msg"])


def problems_from(exc: ValidationError, root: type[BaseModel]) -> list[tuple[tuple[str | int, ...], str]]:
    """``(loc, message)`` for every error pydantic found."""
    return [(tuple(error["loc"]), message_for(error, root)) for error in exc.errors()]
