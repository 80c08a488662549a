from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "features.programs"
    label = "programs"
    verbose_name = "Programs"
