from django.apps import AppConfig

from accord.core import panels


class InsightsConfig(AppConfig):
    name = "accord.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # The views import the models, which exist only once the apps are ready.
        from .report_views import collaboration_panel

        panels.register(
            "collaboration",
            "board_pack",
            template="insights/board_pack_panel.html",
            context=collaboration_panel,
            order=90,
        )
        from .home import home_panel

        panels.register(
            "home", "insights", template="insights/home_panel.html", context=home_panel, order=90
        )
