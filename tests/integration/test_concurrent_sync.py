"""Two, then four ``registrants sync`` processes at once on one store: nobody cancelled, no crash.

Real processes against one SQLite file or PostgreSQL schema and one emulated Zoom (a state file
shared by the processes), in rounds of fresh imports. Before the sync lease and the reconcile age
rule, such runs cancelled dozens of freshly registered people ("cancelled or deleted in Zoom") and
crashed with ``IntegrityError``. The full version (900 people, 5 repetitions) is
benchmarks/concurrent_sync.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.concurrent_sync import REPO_ROOT, run_scenario

pytestmark = pytest.mark.slow

PEOPLE = 300
ROUNDS = 3
# The processes run this source tree; point CONCURRENT_SYNC_CODE_ROOT at an export of an older
# commit to see the scenario fail without the fix.
CODE_ROOT = Path(os.environ.get("CONCURRENT_SYNC_CODE_ROOT") or REPO_ROOT)


@pytest.mark.parametrize("processes", [2, 4])
def test_concurrent_syncs_register_everyone_once_and_cancel_nobody(
    database_url: str, tmp_path: Path, processes: int
) -> None:
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    outcome = run_scenario(
        tmp_path,
        database_url,
        backend=backend,
        processes=processes,
        people=PEOPLE,
        rounds=ROUNDS,
        code_root=CODE_ROOT,
    )
    summary = outcome.as_dict()
    assert outcome.failed_processes == 0 and outcome.tracebacks == 0, summary
    assert outcome.store_cancelled == 0 and outcome.zoom_cancelled == 0, summary
    assert outcome.in_zoom == PEOPLE and outcome.zoom_duplicates == 0, summary
    assert outcome.zoom_not_approved == 0, summary
    assert outcome.store_registered_with_link == PEOPLE and outcome.store_matches_zoom, summary
    assert outcome.ok
