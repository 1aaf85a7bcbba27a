from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [
    path("", views.index, name="index"),
    path("unit-costs/", views.unit_cost_list, name="unit_costs"),
    path("unit-costs/new/", views.unit_cost_create, name="unit_cost_create"),
    path("unit-costs/<int:pk>/edit/", views.unit_cost_edit, name="unit_cost_edit"),
    path("for/<str:reference>/new/", views.appraisal_create, name="create"),
    path("for/<str:reference>/upload/", views.appraisal_upload, name="upload"),
    path("<int:pk>/", views.appraisal_detail, name="detail"),
    path("<int:pk>/edit/", views.appraisal_edit, name="edit"),
    path("<int:pk>/upload/", views.appraisal_replace, name="replace"),
    path("<int:pk>/download.yaml", views.download_yaml, name="download_yaml"),
    path("<int:pk>/download.xlsx", views.download_xlsx, name="download_xlsx"),
    path("<int:pk>/realised/", views.realisation, name="realisation"),
]
