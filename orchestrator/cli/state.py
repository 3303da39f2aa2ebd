"""The runtime of the current CLI invocation (set by the root callback, replaceable in tests)."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from orchestrator.cli.runtime import Runtime
from orchestrator.errors import BadInput
from orchestrator.i18n import _
from orchestrator.settings import Settings


def default_runtime_factory(settings: Settings) -> Runtime:
    return Runtime(settings)


runtime_factory: Callable[[Settings], Runtime] = default_runtime_factory
_current: Runtime | None = None


def set_runtime(runtime: Runtime | None) -> None:
    global _current
    _current = runtime


def runtime() -> Runtime:
    """The runtime for this invocation (settings read once, at the entry point)."""
    global _current
    if _current is None:
        _current = runtime_factory(load_settings())
    return _current


def load_settings() -> Settings:
    """Read settings from the environment and .env, turning mistakes into a clear message."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = [
            f"ORCHESTRATOR_{'_'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
            for error in exc.errors()
        ]
        raise BadInput(_("Some settings are invalid:"), details=problems) from None
