"""Zoom API client: Server-to-Server OAuth, pacing, retries, typed errors and domain calls.

Build it from collaborators (nothing connects at import time)::

    tokens = TokenProvider(account_id, client_id, secret, oauth_url, session, clock)
    http = ZoomHttp(api_url, tokens, ZoomRateLimiter("pro", clock), clock=clock, session=session)
    zoom = ZoomClient(http, DailyLimits(clock))

Modules: ``client`` (``ZoomClient``, pagination), ``http`` (``ZoomHttp``, ``RetryPolicy``), ``oauth``
(``TokenProvider``), ``ratelimit`` (``ZoomRateLimiter``, daily quotas), ``errors``, ``webhooks``,
``app_context`` (Zoom App context), ``emulator/``. The package root re-exports nothing, so importing
one light module (errors, rate categories) does not load the HTTP stack.
"""
