from django.apps import AppConfig


class AssignmentsConfig(AppConfig):
    name = "features.assignments"
    label = "assignments"
    verbose_name = "Assignments"
