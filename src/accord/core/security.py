"""Headers every response carries: a Content-Security-Policy, and no caching of anything but
static files.

- The policy allows scripts, styles and images from the site itself only: no inline script
  (so a stored title that slips past escaping cannot run), no plug-ins, no framing, forms
  posted only back to the site.
- `Cache-Control: no-store` on pages, exports and API responses: they carry personal or
  sensitive data (OFFICIAL-SENSITIVE by default), which must not be kept by a shared proxy or
  left in a shared computer's browser cache. Static files (CSS, JavaScript, images) are the
  same for everyone and stay cacheable.
- A 429 whose view said how long to wait (the request attribute `RETRY_AFTER`, in seconds)
  gets its `Retry-After` header.

A small middleware rather than django-csp: one fixed policy, no per-view exceptions, nothing
to configure.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)

#: The request attribute a view sets, in whole seconds, for a 429's `Retry-After`.
RETRY_AFTER = "accord_retry_after"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if not _is_static(request):
            response["Cache-Control"] = "no-store"
        retry_after = getattr(request, RETRY_AFTER, None)
        if response.status_code == 429 and retry_after is not None:
            response["Retry-After"] = str(int(retry_after))
        return response


def _is_static(request: HttpRequest) -> bool:
    static_url = str(getattr(settings, "STATIC_URL", "/static/") or "/static/")
    if not static_url.startswith("/"):
        static_url = "/" + static_url
    return request.path.startswith(static_url)
