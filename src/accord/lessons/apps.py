from django.apps import AppConfig

from accord.core import panels


class LessonsConfig(AppConfig):
    name = "accord.lessons"
    label = "lessons"
    verbose_name = "Lessons"

    def ready(self) -> None:
        # The views import the models, which exist only once the apps are ready.
        from accord.core import email

        from .services import NOTICE_ACTION, NOTICE_REVIEWED, NOTICE_SUBMITTED
        from .views import collaboration_panel

        # Offered on each person's account page, which turns them off one by one.
        email.register_notice(
            NOTICE_SUBMITTED,
            "When a lesson is submitted for my review",
            hint="For moderators: a lesson of your organisation waits for review",
            order=40,
        )
        email.register_notice(
            NOTICE_REVIEWED,
            "When a lesson I submitted is published or returned",
            order=41,
        )
        email.register_notice(
            NOTICE_ACTION,
            "When an action on a lesson is given to me, and when it is overdue",
            order=42,
        )

        panels.register(
            "collaboration",
            "lessons",
            template="lessons/collaboration_panel.html",
            context=collaboration_panel,
            order=40,
        )
        from .home import home_panel

        panels.register(
            "home", "lessons", template="lessons/home_panel.html", context=home_panel, order=40
        )
