from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "features.plans"
    label = "plans"
    verbose_name = "Plans"
