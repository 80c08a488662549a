from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "features.programs"
    label = "programs"
    verbose_name = "Programs"

    def ready(self):
        from features.programs import handlers  # noqa: F401  (registers the task actions)
