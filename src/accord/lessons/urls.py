from django.urls import path

from . import views

app_name = "lessons"
urlpatterns = [
    path("", views.lesson_list, name="list"),
    path("new/", views.lesson_create, name="create"),
    path("export/", views.export, name="export"),
    path("trends/", views.trends, name="trends"),
    path("import/", views.lesson_import, name="import"),
    path("actions/", views.my_actions, name="my_actions"),
    path("notes/", views.note_list, name="notes"),
    path("notes/<int:pk>/", views.note_detail, name="note"),
    path("<int:pk>/", views.lesson_detail, name="detail"),
    path("<int:pk>/edit/", views.lesson_edit, name="edit"),
    path("<int:pk>/submit/", views.lesson_submit, name="submit"),
    path("<int:pk>/withdraw/", views.lesson_withdraw, name="withdraw"),
    path("<int:pk>/review/", views.lesson_review, name="review"),
    path("<int:pk>/actions/new/", views.action_create, name="action_create"),
    path("actions/<int:pk>/", views.action_update, name="action_update"),
    path("<int:pk>/attachments/new/", views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
    path("attachments/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
]
