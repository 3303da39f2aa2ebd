"""A faithful fake of the parts of Zoom's REST API the orchestrator uses.

Usage in tests::

    app = EmulatorApp(EmulatorState(), EmulatorConfig(), Faults(), clock)
    session.mount("https://api.zoom.us/", EmulatorAdapter(app))
    session.mount("https://zoom.us/oauth/", EmulatorAdapter(app))

or ``install_responses(rsps, app)``, or over HTTP with ``serve(app, port=0)``.
"""

from orchestrator.zoom.emulator.adapter import EmulatorAdapter
from orchestrator.zoom.emulator.app import EmulatorApp, Reply
from orchestrator.zoom.emulator.config import Category, CategoryLimit, EmulatorConfig
from orchestrator.zoom.emulator.faults import FaultRule, Faults, parse_fault
from orchestrator.zoom.emulator.responses_glue import ZOOM_API_URL, ZOOM_OAUTH_URL, install_responses
from orchestrator.zoom.emulator.server import EmulatorServer, main_serve, serve
from orchestrator.zoom.emulator.state import EmulatorState, RequestRecord

__all__ = [
    "ZOOM_API_URL",
    "ZOOM_OAUTH_URL",
    "Category",
    "CategoryLimit",
    "EmulatorAdapter",
    "EmulatorApp",
    "EmulatorConfig",
    "EmulatorServer",
    "EmulatorState",
    "FaultRule",
    "Faults",
    "Reply",
    "RequestRecord",
    "install_responses",
    "main_serve",
    "parse_fault",
    "serve",
]
