from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class SeminarsConfig(AppConfig):
    name = "features.seminars"
    label = "seminars"
    verbose_name = gettext_lazy("Seminars")

    def ready(self):
        from features.seminars import handlers  # noqa: F401 (registers the approval task's actions)
