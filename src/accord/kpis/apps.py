from django.apps import AppConfig

from accord.core import panels


class KpisConfig(AppConfig):
    name = "accord.kpis"
    label = "kpis"
    verbose_name = "KPIs"

    def ready(self) -> None:
        # Django's app loading: the views import the models, which exist only once the apps are
        # ready, so the panel's function is imported here and nowhere else.
        from .views import collaboration_panel

        panels.register(
            "collaboration",
            "kpis",
            template="kpis/collaboration_panel.html",
            context=collaboration_panel,
            order=30,
        )
        from .home import home_panel

        panels.register(
            "home", "kpis", template="kpis/home_panel.html", context=home_panel, order=20
        )
