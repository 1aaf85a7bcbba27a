from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from ninja import NinjaAPI

from accord.core.problems import NotVisible, PermissionRefused, Problems
from accord.core.security import RETRY_AFTER
from accord.core.views import SiteSwagger

from .appraisal import router as appraisal_router
from .assessments import router as assessments_router
from .auth import TokenRateExceeded, bearer, session
from .kpis import router as kpis_router
from .lessons import router as lessons_router
from .register import router as register_router

DESCRIPTION = """Read the collaboration register, its assessments and its appraisals: what
the pages show, to whom they show it.

- **Who you are.** `Authorization: Bearer TOKEN` (a personal token, from your account's API
  tokens page or `accord user token EMAIL`) reads as its owner; a browser session as the signed-in
  person; neither, as anonymous, who sees public records only. A bad token is refused (401), never
  read as anonymous.
- **What you see.** What your pages show you, no more: a record you may not see answers 404,
  exactly as one that does not exist.
- **Lists** are paged by `limit` (1 to 500, 100 by default) and `offset`; a value out of range is
  400.
- **Errors** are `{"detail": ...}`: a sentence, or for 422 a list of what was refused.
- **Rate.** Each token may make a set number of requests a minute (`ACCORD_API_RATE_PER_MINUTE`,
  120 by default); past it, 429 with `Retry-After` in seconds.
"""


class AccordAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """ninja's document, with the `Retry-After` header every 429 carries."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                too_many = operation.get("responses", {}).get(429)
                if too_many is not None:
                    too_many["description"] = "Too many requests with this token this minute"
                    too_many["headers"] = {
                        "Retry-After": {
                            "description": "Seconds until the next minute's requests",
                            "required": True,
                            "schema": {"type": "integer", "minimum": 1},
                        }
                    }
        return schema


api = AccordAPI(
    title="Accord API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=[bearer, session],
    # The documentation page in the site's layout, with no inline script (core.views).
    docs=SiteSwagger(),
)
api.add_router("/", register_router)
api.add_router("/assessments/", assessments_router)
api.add_router("/appraisals", appraisal_router)
api.add_router("/kpis", kpis_router)
api.add_router("/", lessons_router)


# The one place the shared errors become API responses, as the middleware makes them pages.
@api.exception_handler(NotVisible)
def not_visible(request: HttpRequest, exc: NotVisible) -> HttpResponse:
    return api.create_response(request, {"detail": "Not Found"}, status=404)


@api.exception_handler(PermissionRefused)
def refused(request: HttpRequest, exc: PermissionRefused) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=403)


@api.exception_handler(Problems)
def problems(request: HttpRequest, exc: Problems) -> HttpResponse:
    body = {"detail": [p.as_dict() for p in exc.problems]}
    return api.create_response(request, body, status=422)


@api.exception_handler(TokenRateExceeded)
def too_many(request: HttpRequest, exc: TokenRateExceeded) -> HttpResponse:
    response = api.create_response(request, {"detail": str(exc)}, status=429)
    wait = exc.wait or getattr(request, RETRY_AFTER, None) or 1
    response["Retry-After"] = str(int(wait))
    return response


def not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Any other address under /api/: the API's own 404, in JSON like every other answer."""
    return JsonResponse({"detail": "Not Found"}, status=404)


urlpatterns = [
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found, name="api_not_found"),
]
