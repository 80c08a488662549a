from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications import catalogue, email, webhooks  # noqa: F401 (email registers its output)
        from notifications.sync import sync_catalogue_after_migrate

        webhooks.connect()

        catalogue.load()
        autodiscover_modules("scheduled")
        post_migrate.connect(sync_catalogue_after_migrate, sender=self)
