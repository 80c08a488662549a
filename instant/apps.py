from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstantConfig(AppConfig):
    name = "instant"
    verbose_name = _("Instant messaging")

    def ready(self):
        from instant import live as instant_live
        from instant.actions import reply_by_email
        from instant.models import unread_messages
        from notifications import live
        from notifications.inbound import register_reply_handler

        live.register_counter("messages", unread_messages)
        live.register_receiver("message.send", instant_live.send_message)
        live.register_receiver("typing", instant_live.typing)
        live.register_receiver("sync", instant_live.sync)
        register_reply_handler("conversation", reply_by_email)
