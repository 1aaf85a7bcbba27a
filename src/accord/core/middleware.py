"""The one place where the shared errors of `core.problems` become pages."""

from __future__ import annotations

from collections.abc import Callable

from django.core.handlers.exception import response_for_exception
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from .problems import NotVisible, PermissionRefused

#: Seconds a person is asked to wait before sending again when the database was too busy.
BUSY_RETRY_SECONDS = 5


def database_busy(exception: BaseException) -> bool:
    """SQLite's answer when a writer waited its whole busy timeout for the lock. The change
    ran in one transaction, so it was rolled back whole: sending it again is safe."""
    return isinstance(exception, OperationalError) and "database is locked" in str(exception)


class ProblemsMiddleware:
    """A record someone may not see is a 404, exactly as one that does not exist; a change
    they may not make is a 403 page that says so and offers the way back; a change that found
    the database too busy is a 503 that says nothing was saved and to send it again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotVisible):
            # Django's own 404 handling, so that the page is the one a missing URL gets.
            return response_for_exception(request, Http404(str(exception)))
        if isinstance(exception, PermissionRefused):
            return render(request, "errors/403.html", {"message": exception.message}, status=403)
        if database_busy(exception):
            response = render(
                request, "errors/busy.html", {"retry_after": BUSY_RETRY_SECONDS}, status=503
            )
            response["Retry-After"] = str(BUSY_RETRY_SECONDS)
            return response
        return None
