from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "accord.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # Django's app loading: the panel's module imports the models, ready only by now.
        from accord.core import panels

        from .home import home_panel

        panels.register(
            "home", "insights", template="insights/home_panel.html", context=home_panel, order=90
        )
