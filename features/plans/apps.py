from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class PlansConfig(AppConfig):
    name = "features.plans"
    label = "plans"
    verbose_name = gettext_lazy("Plans")

    def ready(self):
        from features.plans import handlers  # noqa: F401 (registers the task actions)
