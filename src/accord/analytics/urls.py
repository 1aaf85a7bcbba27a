from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("c/<str:reference>/new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/run/", views.run, name="run"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/export/", views.export, name="export"),
    path("<int:pk>/benefit/", views.add_benefit, name="benefit"),
    path("<int:pk>/files/<int:file_pk>/", views.download_file, name="file"),
    path("<int:pk>/files/<int:file_pk>/remove/", views.remove_file, name="file_remove"),
]
