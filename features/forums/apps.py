from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class ForumsConfig(AppConfig):
    name = "features.forums"
    label = "forums"
    verbose_name = gettext_lazy("Forums")

    def ready(self):
        from features.forums.actions import reply_by_email
        from notifications.inbound import register_reply_handler

        register_reply_handler("forum_post", reply_by_email)
