from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    name = "features.audiences"
    label = "audiences"
    verbose_name = "Audiences"
