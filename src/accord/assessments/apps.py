from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _load_shipped_frameworks(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After migrating (and after a test flush), make sure the shipped frameworks are there."""
    # Django's app loading: models and services may be imported only once the apps are ready.
    from django.db import connections

    from accord.core.actors import SystemActor

    from .models import FrameworkVersion
    from .services import load_shipped_frameworks

    tables = connections[using].introspection.table_names()
    if FrameworkVersion._meta.db_table not in tables or "core_auditevent" not in tables:
        return
    load_shipped_frameworks(SystemActor("migrate"))


class AssessmentsConfig(AppConfig):
    name = "accord.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        # Imported here, as Django requires: views import the models, loaded only by now.
        from accord.core import panels

        from .views import collaboration_panel

        post_migrate.connect(_load_shipped_frameworks, sender=self)
        panels.register(
            "collaboration",
            "assessments",
            template="assessments/collaboration_panel.html",
            context=collaboration_panel,
            order=10,
        )
        from .home import home_panel

        panels.register(
            "home",
            "assessments",
            template="assessments/home_panel.html",
            context=home_panel,
            order=30,
        )
