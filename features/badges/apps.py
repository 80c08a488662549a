from django.apps import AppConfig


class BadgesConfig(AppConfig):
    name = "features.badges"
    label = "badges"
    verbose_name = "Badges"
