"""The browser half of the service: login, organiser dashboard, moderator console.

``create_app(WebContext.from_runtime(rt), routers=ui_routers())`` then ``install_ui(app, rt)``, or
``create_ui_app(rt)`` for both. Pages are server-rendered (Jinja2, autoescaped) and work without
JavaScript; ``static/console.js`` adds drag-and-drop to the console.
"""

from orchestrator.web.ui.install import create_ui_app, install_ui, ui_routers

__all__ = ["create_ui_app", "install_ui", "ui_routers"]
