from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "features.plans"
    label = "plans"
    verbose_name = "Plans"

    def ready(self):
        from features.plans import handlers  # noqa: F401 (registers the task actions)
