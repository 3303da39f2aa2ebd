"""The emulated Zoom's data: in memory, or in a JSON file shared by several processes.

With a ``path`` every transaction takes an inter-process file lock, reloads the file when another
process changed it, and writes it back atomically (temporary file + rename), so two CLI runs in a
row (or side by side) meet the same emulated Zoom.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from orchestrator.errors import BadInput
from orchestrator.i18n import _

SCHEMA_VERSION = 1
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def empty_data() -> dict[str, Any]:
    """A fresh emulated account: no meetings, no registrants, no tokens."""
    return {
        "version": SCHEMA_VERSION,
        "meetings": {},  # meeting id (str) -> stored meeting
        "registrants": {},  # meeting id (str) -> list of stored registrants (including cancelled)
        "tokens": {},  # access token -> expiry (zoom datetime)
        "page_tokens": {},  # next_page_token -> {"key": ..., "offset": int, "expires": ...}
        "counters": {},  # rate-limit windows and daily quotas
        "request_log": [],
    }


@dataclass(frozen=True)
class RequestRecord:
    """One request the emulator answered (no query values, no bodies: they may hold personal data)."""

    method: str
    path: str
    status: int
    at: str  # Zoom-format UTC timestamp on the emulator's clock

    @property
    def is_write(self) -> bool:
        """A call that may change Zoom's data (token requests do not count)."""
        return self.method in WRITE_METHODS and not self.path.endswith("/oauth/token")


class EmulatorState:
    """Holds the emulator's data; :meth:`transaction` gives exclusive access to it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._thread_lock = threading.RLock()
        self._file_lock = FileLock(str(path) + ".lock") if path is not None else None
        self._data: dict[str, Any] = empty_data()
        self._stamp: tuple[int, int, int] | None = None
        self._held_since: float | None = None  # see held()
        self._last_save = 0.0
        self._save_every = 0.0
        if path is not None:
            with self._file_lock:  # type: ignore[union-attr]
                self._reload_if_changed()

    @contextmanager
    def transaction(self) -> Iterator[dict[str, Any]]:
        """Exclusive access to the data; with a file, reload before and save after (also on error)."""
        with self._thread_lock:
            if self._file_lock is None:
                yield self._data
                return
            if self._held_since is not None:
                try:
                    yield self._data
                finally:
                    self._save_when_due()
                return
            with self._file_lock:
                self._reload_if_changed()
                try:
                    yield self._data
                finally:
                    self._save()

    @contextmanager
    def held(self, save_every: float = 2.0) -> Iterator[None]:
        """Keep the file locked and the data in memory for a long run of calls (the demo's day).

        Rewriting the whole file after every call grows with the square of the registrants; while
        held, the file is written at most every ``save_every`` seconds and once at the end (also on
        error). Other processes wait for the file lock meanwhile, as they would for one long call.
        Without a file this changes nothing.
        """
        if self._file_lock is None:
            yield
            return
        with self._file_lock:
            with self._thread_lock:
                self._reload_if_changed()
                self._held_since = self._last_save = time.monotonic()
                self._save_every = save_every
            try:
                yield
            finally:
                with self._thread_lock:
                    self._held_since = None
                    self._save()

    def _save_when_due(self) -> None:
        if time.monotonic() - self._last_save >= self._save_every:
            self._save()
            self._last_save = time.monotonic()

    def snapshot(self) -> dict[str, Any]:
        """A deep copy of the current data (for inspection in tests)."""
        with self.transaction() as data:
            return copy.deepcopy(data)

    def reset(self) -> None:
        """Forget everything (meetings, registrants, tokens, counters, log)."""
        with self.transaction() as data:
            data.clear()
            data.update(empty_data())

    def _reload_if_changed(self) -> None:
        assert self.path is not None
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._data = empty_data()
            self._stamp = None
            return
        # os.replace gives every save a new inode, so another process's write is always noticed
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise BadInput(
                _("The Zoom emulator's state file {path} is unreadable: {error}", path=self.path, error=exc)
            ) from exc
        if not isinstance(loaded, dict) or loaded.get("version") != SCHEMA_VERSION:
            raise BadInput(
                _(
                    "The Zoom emulator's state file {path} has an unknown format; delete it to start afresh.",
                    path=self.path,
                )
            )
        data = empty_data()
        data.update(loaded)
        self._data = data
        self._stamp = stamp

    def _save(self) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # dumps, not dump: dump streams through the pure-Python encoder, dumps uses the C one
        # (about ten times faster on a state with thousands of registrants).
        text = json.dumps(self._data, ensure_ascii=False, separators=(",", ":"))
        fd, tmp_name = tempfile.mkstemp(prefix=self.path.name + ".", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp_name, self.path)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        stat = self.path.stat()
        self._stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
