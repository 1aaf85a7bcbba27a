from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "accord.register"
    label = "register"
    verbose_name = "Collaboration register"

    def ready(self) -> None:
        # Django's app loading: the panel's module imports the models, ready only by now.
        from accord.core import panels

        from .home import home_panel

        panels.register(
            "home", "register", template="register/home_panel.html", context=home_panel, order=10
        )
