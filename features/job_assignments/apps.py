from django.apps import AppConfig


class JobAssignmentsConfig(AppConfig):
    name = "features.job_assignments"
    label = "job_assignments"
    verbose_name = "Job Assignments"
