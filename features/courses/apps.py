from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CoursesConfig(AppConfig):
    name = "features.courses"
    label = "courses"
    verbose_name = gettext_lazy("Courses")
