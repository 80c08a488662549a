from django.apps import AppConfig


class InstantConfig(AppConfig):
    name = "instant"
    verbose_name = "Instant messaging"

    def ready(self):
        from instant.models import unread_count
        from notifications import live

        live.register_counter("messages", unread_count)
