"""Exceptions the web routes raise; ``install_ui`` turns them into pages or redirects."""

from __future__ import annotations


class UiError(Exception):
    """Base: an answer other than the page that was asked for."""

    status_code = 400


class LoginRequired(UiError):
    """Nobody is logged in (GET: redirect to the login page)."""

    status_code = 401


class Forbidden(UiError):
    """Logged in, but not allowed (a moderator on an organiser page)."""

    status_code = 403


class PageNotFound(UiError):
    """No such event, or none this principal may see."""

    status_code = 404


class CsrfFailed(UiError):
    """A form without the session's token (forged, or sent from a page older than the session)."""

    status_code = 403


class PayloadTooLarge(UiError):
    """The request body is larger than allowed."""

    status_code = 413
