from django.apps import AppConfig


class SeminarsConfig(AppConfig):
    name = "features.seminars"
    label = "seminars"
    verbose_name = "Seminars"
