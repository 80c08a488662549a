from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "features.forums"
    label = "forums"
    verbose_name = "Forums"

    def ready(self):
        from features.forums.actions import reply_by_email
        from notifications.inbound import register_reply_handler

        register_reply_handler("forum_post", reply_by_email)
