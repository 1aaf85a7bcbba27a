from django.contrib import admin
from django.urls import include, path

from accord.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("accounts/", include("accord.orgs.urls")),
    path("collaborations/", include("accord.register.urls")),
    path("assessments/", include("accord.assessments.urls")),
    path("appraisals/", include("accord.appraisal.urls")),
    path("kpis/", include("accord.kpis.urls")),
    path("analytics/", include("accord.analytics.urls")),
    path("lessons/", include("accord.lessons.urls")),
    path("insights/", include("accord.insights.urls")),
    path("api/", include("accord.api.urls")),
    path("admin/", admin.site.urls),
    path("healthz", core_views.healthz, name="healthz"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("", include("accord.core.urls")),
]

# Error pages in the site's layout (core/views.py); a refused form post's page is settings'
# CSRF_FAILURE_VIEW.
handler404 = "accord.core.views.page_not_found"
handler500 = "accord.core.views.server_error"
