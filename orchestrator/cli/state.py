"""The app of the current CLI invocation (built from the environment once, replaceable in tests)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestrator.app import App


def default_app_factory() -> App:
    from orchestrator.app import App

    return App.from_environment()


# Tests hand in their own factory (an in-process emulator, a frozen clock) through pytest's monkeypatch.
runtime_factory: Callable[[], App] = default_app_factory
_current: App | None = None


def set_runtime(app: App | None) -> None:
    global _current
    _current = app


def runtime() -> App:
    """The app for this invocation (settings read once, at the entry point)."""
    global _current
    if _current is None:
        _current = runtime_factory()
    return _current
