from django.apps import AppConfig


class AppraisalConfig(AppConfig):
    name = "accord.appraisal"
    label = "appraisal"
    verbose_name = "Appraisal"
