from django.urls import path

from . import report_views, views

app_name = "insights"
urlpatterns = [
    path("", views.national, name="national"),
    path("findings/", views.findings, name="findings"),
    path("report/", report_views.national_report, name="national_report"),
    path(
        "report/<int:pk>/national-report.pdf",
        report_views.national_report_download,
        name="national_report_download",
    ),
    path("c/<str:reference>/board-pack/", report_views.board_pack, name="board_pack"),
    path(
        "c/<str:reference>/board-pack.pdf", report_views.board_pack_pdf, name="board_pack_download"
    ),
]
