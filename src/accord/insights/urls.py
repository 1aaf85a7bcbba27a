from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("", views.national, name="national"),
    path("findings/", views.findings, name="findings"),
]
