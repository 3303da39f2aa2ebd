"""Browser fixtures: Debian's Chromium through Playwright, axe-core from npm, the app on a loopback port."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock

from orchestrator.app import App
from orchestrator.web.serve import serve_http
from orchestrator.web.ui import create_ui_app
from tests.conftest import REPO_ROOT
from tests.integration.test_web_ui_support import ORGANISER, add_account, event_runtime

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_PREFIX = REPO_ROOT / ".cache" / "axe"
AXE_FILE = AXE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"
# Laptop screen of a moderator during the event.
VIEWPORT = {"width": 1366, "height": 860}


def _install_axe() -> None:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("accessibility checks need axe-core: npm is not installed")
    result = subprocess.run(
        [npm, "install", "--no-save", "--no-audit", "--no-fund", "--prefix", str(AXE_PREFIX), "axe-core"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0 or not AXE_FILE.exists():
        pytest.skip(f"could not install axe-core from npm: {result.stderr.strip()[-300:]}")


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script; installed from the npm registry into the git-ignored .cache/ on first use.

    The lock keeps parallel test workers from installing into the same folder at once.
    """
    AXE_PREFIX.mkdir(parents=True, exist_ok=True)
    with FileLock(AXE_PREFIX.parent / "axe.lock"):
        if not AXE_FILE.exists():
            _install_axe()
    return AXE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's package; Playwright cannot download its own browser here)."""
    if not CHROMIUM.exists():
        pytest.skip("browser tests need Chromium at /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class LiveApp:
    """The app served by uvicorn on a free loopback port, with its runtime (emulator inside)."""

    runtime: App
    base_url: str


@pytest.fixture
def live_app(tmp_path: Path) -> Iterator[LiveApp]:
    rt = event_runtime(f"sqlite:///{tmp_path / 'store.db'}", tmp_path)
    add_account(rt, ORGANISER, "organiser")
    stop = threading.Event()
    # Plain http on loopback: the cookie cannot carry the Secure flag here.
    app = create_ui_app(rt, secure_cookies=False, process_in_background=False)
    server = serve_http(app, "127.0.0.1", 0, stop)
    try:
        yield LiveApp(rt, f"http://127.0.0.1:{server.port}")
    finally:
        stop.set()
        server.stop()
        rt.close()


@pytest.fixture
def page(browser: Any, live_app: LiveApp) -> Iterator[Any]:
    context = browser.new_context(viewport=VIEWPORT, locale="de-DE")
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path: Path) -> Path:
    """Where screenshots go: ORCHESTRATOR_SCREENSHOT_DIR (e.g. docs/screenshots) or the test's tmp dir."""
    configured = os.environ.get("ORCHESTRATOR_SCREENSHOT_DIR")
    directory = Path(configured) if configured else tmp_path / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
