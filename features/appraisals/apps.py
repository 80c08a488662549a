from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    name = "features.appraisals"
    label = "appraisals"
    verbose_name = "Appraisals"
