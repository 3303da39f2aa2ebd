"""Thin adapters from the app to the domain services, one module per domain.

Each module turns the :class:`~orchestrator.app.App` into the collaborators its domain's use case
takes (``zoom_access(app)``, ``mail_service(app)``, ``work(app)``) and exposes ``run(app, event_key)``
returning the use case's typed result, and, where the work is tied to a time,
``next_due(app, event_key) -> datetime | None``. The scheduler (``orchestrator.scheduler``), the
commands and the demo's sped-up day call them; the logic lives in the domain services.
"""
