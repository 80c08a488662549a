from django.apps import AppConfig


class ForumsConfig(AppConfig):
    name = "features.forums"
    label = "forums"
    verbose_name = "Forums"
