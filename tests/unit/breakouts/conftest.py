"""Keep Hypothesis' storage (its constants cache is written while test modules are collected) out
of the repository: point it at a temporary directory that is removed at exit."""

from __future__ import annotations

import atexit
import shutil
import tempfile

import pytest
from hypothesis.configuration import set_hypothesis_home_dir


def pytest_configure(config: pytest.Config) -> None:
    home = tempfile.mkdtemp(prefix="hypothesis-")
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    set_hypothesis_home_dir(home)
