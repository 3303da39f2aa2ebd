"""The HTTP service: Zoom webhooks, health; the dashboard and moderator console add routers.

``create_app(WebContext.from_runtime(rt), routers=[...])`` builds the app and
``serve_http(app, host, port, stop_event)`` runs it with uvicorn in a thread.
"""

from orchestrator.web.app import create_app
from orchestrator.web.context import WebContext, web_context
from orchestrator.web.serve import HttpServer, serve_http

__all__ = ["HttpServer", "WebContext", "create_app", "serve_http", "web_context"]
