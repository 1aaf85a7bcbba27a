"""The site's own pages: help, the accessibility statement, privacy, cookies and contact."""

from django.urls import path

from . import views

urlpatterns = [
    path("help/", views.help_index, name="help"),
    path("help/organisations/", views.help_organisations, name="help_organisations"),
    path("help/<slug:topic>/", views.help_topic, name="help_topic"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("privacy/", views.privacy, name="privacy"),
    path("cookies/", views.cookies, name="cookies"),
    path("contact/", views.contact, name="contact"),
]
