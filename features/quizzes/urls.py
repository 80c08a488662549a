from django.urls import path

from features.quizzes import views

app_name = "quizzes"

urlpatterns = [
    path("<int:quiz_id>/", views.quiz_page, name="quiz"),
    path("<int:quiz_id>/start/", views.start, name="start"),
    path("attempts/<int:attempt_id>/", views.attempt_page, name="attempt"),
]
