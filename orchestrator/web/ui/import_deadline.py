"""Reading an uploaded export under a time limit, so a web import cannot outlive its request.

The file is first read by a separate Python process; if that does not finish within the limit, the
process is killed and the import refused with a clear message. A thread could not be stopped, and
a parser stuck in a pathological file would keep a CPU and the upload busy long after the browser
gave up. Only when the file reads in time does the import (which reads it again) run.

The child runs :data:`_CHILD` (it imports only the parser's module, not the web app).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from orchestrator.errors import BadInput
from orchestrator.i18n import _

DEFAULT_IMPORT_SECONDS = 60.0
# The parser the child runs, as "module:function" (tests name a slow one).
DEFAULT_PARSER = "orchestrator.registrants.reader:read_rows"
_DONE = "read-check: done"
# The child: load MODULE:FUNCTION, read the file, say done. Errors are left to the import itself.
_CHILD = (
    "import contextlib, importlib, pathlib, sys\n"
    "module, _, function = sys.argv[1].partition(':')\n"
    "parse = getattr(importlib.import_module(module), function)\n"
    "with contextlib.suppress(Exception):\n"
    "    parse(pathlib.Path(sys.argv[2]))\n"
    f"print({_DONE!r})\n"
)


class ImportTooSlow(BadInput):
    """Reading the file took longer than the web import allows."""


def check_within(path: Path, seconds: float, parser: str = DEFAULT_PARSER) -> None:
    """Read ``path`` with ``parser`` in a child process; :class:`ImportTooSlow` after ``seconds``.

    A file the parser refuses passes: the import reads it again and reports the specific error.
    """
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    command = [sys.executable, "-c", _CHILD, parser, str(path)]
    try:
        # The child's output is only our marker: nothing of the file's content is printed.
        finished = subprocess.run(
            command, capture_output=True, text=True, timeout=seconds, env=env, check=False
        )
    except subprocess.TimeoutExpired:  # subprocess.run has killed the child
        raise ImportTooSlow(
            _(
                "Reading the file took longer than {seconds} seconds, so the import was stopped. "
                "Please check the file (for example save it again as CSV) or import it with "
                "'orchestrator registrants import'.",
                seconds=int(seconds),
            )
        ) from None
    if finished.returncode < 0 and _DONE not in finished.stdout:  # killed (out of memory: the OOM killer)
        raise BadInput(_("The file could not be read; it may be damaged or far too large."))
    # Anything else (read, refused, or the parser failed to load) goes on: the import reports it.
