from django.apps import AppConfig


class WebpushConfig(AppConfig):
    name = "webpush"
    verbose_name = "Push notifications"

    def ready(self):
        from webpush import checks, output  # noqa: F401 (registers the push output and its check)
