from django.urls import path
from ninja import NinjaAPI

from .assessments import router as assessments_router
from .register import router as register_router

api = NinjaAPI(
    title="Accord API",
    version="1",
    description="Read the collaboration register. Signed-in sessions see what their pages show; "
    "anonymous callers see public records only.",
    urls_namespace="api",
)
api.add_router("/", register_router)
api.add_router("/assessments/", assessments_router)

urlpatterns = [path("", api.urls)]
