from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class AssignmentsConfig(AppConfig):
    name = "features.assignments"
    label = "assignments"
    verbose_name = gettext_lazy("Assignments")
