from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts and tasks"

    def ready(self):
        from alerts import output  # noqa: F401 (registers the web output)
        from alerts.models import Alert
        from notifications import live

        live.register_counter(
            "alerts", lambda u: Alert.objects.for_user(u).alerts().unread().count()
        )
        live.register_counter("tasks", lambda u: Alert.objects.for_user(u).tasks().open().count())
