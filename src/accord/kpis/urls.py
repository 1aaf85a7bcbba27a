from django.urls import path

from . import views

app_name = "kpis"
urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("export/", views.export, name="export"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_create, name="indicator_create"),
    path("indicators/upload/", views.indicator_upload, name="indicator_upload"),
    path("c/<str:reference>/", views.collaboration_kpis, name="collaboration"),
    path("c/<str:reference>/adopt/", views.adopt, name="adopt"),
    path("c/<str:reference>/import/", views.measurement_import, name="import"),
    path("<int:pk>/", views.adoption_detail, name="adoption"),
    path("<int:pk>/edit/", views.adoption_edit, name="adoption_edit"),
    path("<int:pk>/archive/", views.adoption_archive, name="adoption_archive"),
    path("<int:pk>/restore/", views.adoption_restore, name="adoption_restore"),
    path("<int:pk>/milestones/new/", views.milestone_create, name="milestone_create"),
    path("milestones/<int:pk>/remove/", views.milestone_remove, name="milestone_remove"),
    path("<int:pk>/measurements/new/", views.measurement_create, name="measurement_create"),
    path("measurements/<int:pk>/edit/", views.measurement_edit, name="measurement_edit"),
]
