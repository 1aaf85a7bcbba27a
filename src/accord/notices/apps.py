from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "accord.notices"
    label = "notices"
    verbose_name = "Notices"

    def ready(self) -> None:
        from accord.core import email

        from .choices import NOTICE_HINTS, NoticeKind

        # Offered on each person's account page, which turns them off one by one.
        for order, kind in enumerate(NoticeKind):
            email.register_notice(kind.value, kind.label, hint=NOTICE_HINTS[kind], order=order)
