from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AppraisalsConfig(AppConfig):
    name = "features.appraisals"
    label = "appraisals"
    verbose_name = gettext_lazy("Appraisals")
