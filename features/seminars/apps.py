from django.apps import AppConfig


class SeminarsConfig(AppConfig):
    name = "features.seminars"
    label = "seminars"
    verbose_name = "Seminars"

    def ready(self):
        from features.seminars import handlers  # noqa: F401 (registers the approval task's actions)
