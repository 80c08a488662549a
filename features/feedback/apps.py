from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "features.feedback"
    label = "feedback"
    verbose_name = "Feedback"
