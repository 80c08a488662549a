from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class Feedback360Config(AppConfig):
    name = "features.feedback360"
    label = "feedback360"
    verbose_name = gettext_lazy("360 Feedback")
