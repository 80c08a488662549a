from django.apps import AppConfig


class Feedback360Config(AppConfig):
    name = "features.feedback360"
    label = "feedback360"
    verbose_name = "360 Feedback"
