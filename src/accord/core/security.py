"""Headers every response but a static file's carries: no caching, and a 429's `Retry-After`.

- `Cache-Control: no-store` on pages, exports and API responses: they carry personal or
  sensitive data (OFFICIAL-SENSITIVE by default), which must not be kept by a shared proxy or
  left in a shared computer's browser cache. Static files (CSS, JavaScript, images) are the
  same for everyone and stay cacheable.
- A 429 whose view said how long to wait (the request attribute `RETRY_AFTER`, in seconds)
  gets its `Retry-After` header.

The Content-Security-Policy is django-csp's (`CONTENT_SECURITY_POLICY` in settings.py), not
this module's.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

#: The request attribute a view sets, in whole seconds, for a 429's `Retry-After`.
RETRY_AFTER = "accord_retry_after"


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
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
