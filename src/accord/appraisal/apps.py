from django.apps import AppConfig

from accord.core import panels


class AppraisalConfig(AppConfig):
    name = "accord.appraisal"
    label = "appraisal"
    verbose_name = "Appraisal"

    def ready(self) -> None:
        # Django's app loading: the views import the models, which exist only once the apps are
        # ready, so the panel's function is imported here and nowhere else.
        from .views import collaboration_panel

        panels.register(
            "collaboration",
            "appraisal",
            template="appraisal/collaboration_panel.html",
            context=collaboration_panel,
            order=20,
        )
