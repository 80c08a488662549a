from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class BadgesConfig(AppConfig):
    name = "features.badges"
    label = "badges"
    verbose_name = gettext_lazy("Badges")
