from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("frameworks/", views.frameworks, name="frameworks"),
    path("c/<str:reference>/", views.collaboration_rounds, name="collaboration"),
    path("c/<str:reference>/new/", views.round_create, name="create"),
    path("rounds/<int:round_id>/", views.round_detail, name="round"),
    path("rounds/<int:round_id>/invite/", views.round_invite, name="invite"),
    path("rounds/<int:round_id>/links.csv", views.round_links_csv, name="links_csv"),
    path("rounds/<int:round_id>/remind/", views.round_remind, name="remind"),
    path("rounds/<int:round_id>/import/", views.round_import, name="import"),
    path("rounds/<int:round_id>/export.<str:fmt>", views.round_export, name="export"),
    path("respond/<str:token>/", views.respond, name="respond"),
]
