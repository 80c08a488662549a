from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AudiencesConfig(AppConfig):
    name = "features.audiences"
    label = "audiences"
    verbose_name = gettext_lazy("Audiences")
