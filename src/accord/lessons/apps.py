from django.apps import AppConfig

from accord.core import panels


class LessonsConfig(AppConfig):
    name = "accord.lessons"
    label = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        # The views import the models, which exist only once the apps are ready.
        from .views import collaboration_panel

        panels.register(
            "collaboration",
            "lessons",
            template="lessons/collaboration_panel.html",
            context=collaboration_panel,
            order=40,
        )
