from django.apps import AppConfig


class KpisConfig(AppConfig):
    name = "accord.kpis"
    label = "kpis"
    verbose_name = "KPIs"
