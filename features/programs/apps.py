from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ProgramsConfig(AppConfig):
    name = "features.programs"
    label = "programs"
    verbose_name = gettext_lazy("Programs")

    def ready(self):
        from features.programs import handlers  # noqa: F401  (registers the task actions)
