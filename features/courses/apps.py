from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "features.courses"
    label = "courses"
    verbose_name = "Courses"
