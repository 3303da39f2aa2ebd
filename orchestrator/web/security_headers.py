"""Response headers every page carries (dashboard, console, error pages)."""

from __future__ import annotations

from starlette.responses import Response

# No inline script or style anywhere: everything comes from /static, so the policy can be strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Moderator links carry their secret in the path: never send it on as a referrer.
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def with_security_headers(response: Response) -> Response:
    """Set :data:`SECURITY_HEADERS` on ``response`` and return it."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response
