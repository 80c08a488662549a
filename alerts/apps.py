from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts and tasks"

    def ready(self):
        from alerts import output  # noqa: F401 (registers the web output)
        from alerts.models import Alert
        from notifications import live

        live.register_counter(
            "alerts",
            lambda user_id: Alert.objects.filter(recipient_id=user_id).alerts().visible().unread(),
        )
        live.register_counter(
            "tasks",
            lambda user_id: Alert.objects.filter(recipient_id=user_id).tasks().visible().open(),
        )
