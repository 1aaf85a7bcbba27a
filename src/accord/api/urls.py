from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI

from accord.core.problems import NotVisible, PermissionRefused, Problems

from .assessments import router as assessments_router
from .auth import bearer, session
from .register import router as register_router

api = NinjaAPI(
    title="Accord API",
    version="1",
    description="Read the collaboration register. Signed-in sessions see what their pages show; "
    "anonymous callers see public records only.",
    urls_namespace="api",
    auth=[bearer, session],
)
api.add_router("/", register_router)
api.add_router("/assessments/", assessments_router)


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


urlpatterns = [path("", api.urls)]
