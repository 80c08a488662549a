from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class JobAssignmentsConfig(AppConfig):
    name = "features.job_assignments"
    label = "job_assignments"
    verbose_name = gettext_lazy("Job Assignments")
