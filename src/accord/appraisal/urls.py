from django.urls import path

from . import views

app_name = "appraisal"
urlpatterns = [path("", views.index, name="index")]
