from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts and tasks")

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
