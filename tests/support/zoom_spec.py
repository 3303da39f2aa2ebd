"""Zoom's Meetings OpenAPI document: outside the repository, so checks against it may skip.

The document is reference material next to the repository (``../shared/zoom-spec``), never copied
into it. Only the checks of our Zoom code against Zoom's own document read it; when it is absent
(e.g. in a fresh clone) they skip and say why. Everything else in the suite is self-contained.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
ZOOM_MEETINGS_SPEC = REPO_ROOT.parent / "shared" / "zoom-spec" / "meetings-api.json"


def load_zoom_meetings_spec() -> dict[str, Any]:
    """The OpenAPI document (without the vendored envelope); skips the calling test when absent."""
    if not ZOOM_MEETINGS_SPEC.is_file():
        pytest.skip(
            f"Zoom's Meetings OpenAPI document is not next to the repository ({ZOOM_MEETINGS_SPEC}); "
            "this check compares our Zoom code with Zoom's own document and needs it"
        )
    raw: dict[str, Any] = json.loads(ZOOM_MEETINGS_SPEC.read_text(encoding="utf-8"))
    document: dict[str, Any] = raw.get("spec", raw)  # the vendored file wraps the document
    return document
