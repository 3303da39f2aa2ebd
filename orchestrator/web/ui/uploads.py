"""Where uploaded registration exports wait while they are imported, and removing leftovers.

Each import gets its own private folder under one dedicated directory (``orchestrator-uploads``
in the system's temp folder, mode 0700) and removes it when done. A process killed in the middle
(``kill -9``) cannot clean up, so on start the service deletes every upload older than its own
start: the files hold personal data and must not linger.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)
UPLOAD_DIR_NAME = "orchestrator-uploads"
WORKSPACE_PREFIX = "import-"


def default_upload_dir() -> Path:
    """The dedicated upload directory in the system's temp folder."""
    return Path(tempfile.gettempdir()) / UPLOAD_DIR_NAME


@contextmanager
def upload_workspace(directory: Path) -> Iterator[Path]:
    """A private folder for one upload, removed afterwards (also when the import fails)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=WORKSPACE_PREFIX, dir=directory) as workspace:
        yield Path(workspace)


def remove_stale_uploads(directory: Path, started_at: datetime) -> int:
    """Delete upload folders in ``directory`` last changed before ``started_at``; returns how many."""
    if not directory.is_dir():
        return 0
    limit = started_at.timestamp()
    removed = 0
    for entry in directory.iterdir():
        if not entry.name.startswith(WORKSPACE_PREFIX):
            continue  # only what upload_workspace made
        try:
            if entry.lstat().st_mtime >= limit:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError as exc:
            log.warning("could not remove a stale upload", extra={"error": exc.strerror or str(exc)})
    if removed:
        log.warning("removed stale uploads left by an interrupted import", extra={"count": removed})
    return removed
