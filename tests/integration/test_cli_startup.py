"""Commands import only what they use: the everyday commands load no solver, web stack or migrations.

Each command runs in a fresh interpreter (a subprocess) against a migrated SQLite store with the
sample event; afterwards the test reads ``sys.modules``. Also: the root's command table (which
``--help`` lists without importing anything) agrees with the modules' own help texts, and the
schema revision the store check uses without Alembic equals Alembic's head.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from orchestrator.cli.app import COMMANDS
from orchestrator.db import migrate
from orchestrator.db.revision import SCHEMA_REVISION
from tests.conftest import REPO_ROOT, SAMPLE_AGENDA

FORBIDDEN = ("ortools", "pandas", "numpy", "scipy", "fastapi", "uvicorn", "alembic")
PROBE = """
import json, sys
forbidden = set(json.loads(sys.argv[2]))
sys.argv = ["orchestrator", *json.loads(sys.argv[1])]
code = 0
try:
    from orchestrator.cli import main
    main()
except SystemExit as stop:
    code = stop.code
loaded = sorted({name.split(".")[0] for name in sys.modules} & forbidden)
print(json.dumps({"code": code, "loaded": loaded}))
"""


@pytest.fixture(scope="module")
def store_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    workdir = tmp_path_factory.mktemp("startup")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORCHESTRATOR_")}
    env.update(
        PYTHONPATH=str(REPO_ROOT),
        ORCHESTRATOR_DATABASE_URL=f"sqlite:///{workdir / 'store.db'}",
        ORCHESTRATOR_ZOOM="emulator",
        ORCHESTRATOR_ZOOM_EMULATOR_STATE=str(workdir / "zoom.json"),
        ORCHESTRATOR_LANGUAGE="en",
    )
    for args in (["db", "upgrade"], ["meeting", "setup", str(SAMPLE_AGENDA), "--allow-past"]):
        assert _probe(args, env)["code"] in (0, None)
    return env


def _probe(args: list[str], env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args), json.dumps(FORBIDDEN)],
        env=env,
        cwd=Path(env["ORCHESTRATOR_DATABASE_URL"].removeprefix("sqlite:///")).parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["agenda", "check", str(SAMPLE_AGENDA), "--allow-past"],
        ["meeting", "show"],
        ["registrants", "list"],
        ["registrants", "report"],
        ["mail", "status"],
    ],
    ids=lambda args: " ".join(a for a in args if "/" not in a),
)
def test_everyday_commands_load_no_heavy_library(args: list[str], store_env: dict[str, str]) -> None:
    result = _probe(args, store_env)
    assert result["code"] in (0, None)
    assert result["loaded"] == []


def test_the_command_table_matches_the_modules() -> None:
    for name, (module_name, attribute, help_text) in COMMANDS.items():
        target = getattr(importlib.import_module(module_name), attribute)
        own = target.info.help if isinstance(target, typer.Typer) else (target.__doc__ or "")
        assert own.strip().splitlines()[0] == help_text, name


def test_schema_revision_is_alembics_head(sqlite_url: str) -> None:
    assert migrate.head_revision(sqlite_url) == SCHEMA_REVISION
