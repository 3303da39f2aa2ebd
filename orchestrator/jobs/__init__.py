"""Units of work the service runs on a schedule (one module per domain).

Each module exposes ``run(rt: App, event_key: str | None) -> dict`` (a JSON-able report) and,
where the work is tied to a time, ``next_due(rt, event_key) -> datetime | None``. The scheduler
(``orchestrator.scheduler``) and the demo's sped-up day call them; nothing else should.
"""
