from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class QuizzesConfig(AppConfig):
    name = "features.quizzes"
    label = "quizzes"
    verbose_name = gettext_lazy("Quizzes")
