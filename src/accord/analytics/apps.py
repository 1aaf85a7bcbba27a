from django.apps import AppConfig

from accord.core import panels


class AnalyticsConfig(AppConfig):
    name = "accord.analytics"
    label = "analytics"
    verbose_name = "Demand analytics"

    def ready(self) -> None:
        # The views import the models, which exist only once the apps are ready.
        from .views import collaboration_panel

        panels.register(
            "collaboration",
            "analytics",
            template="analytics/collaboration_panel.html",
            context=collaboration_panel,
            order=40,
        )
