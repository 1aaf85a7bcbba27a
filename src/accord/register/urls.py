from django.urls import path

from . import views

app_name = "register"
urlpatterns = [
    path("", views.collaboration_list, name="list"),
    path("new/", views.collaboration_create, name="create"),
    path("import/", views.collaboration_import, name="import"),
    path("import/template.<str:fmt>", views.import_template, name="import_template"),
    path("export/", views.collaboration_export, name="export"),
    path("<str:reference>/", views.collaboration_detail, name="detail"),
    path("<str:reference>/edit/", views.collaboration_edit, name="edit"),
    path("<str:reference>/archive/", views.collaboration_archive, name="archive"),
    path("<str:reference>/reviews/new/", views.review_create, name="review_create"),
]
