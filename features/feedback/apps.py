from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class FeedbackConfig(AppConfig):
    name = "features.feedback"
    label = "feedback"
    verbose_name = gettext_lazy("Feedback")
