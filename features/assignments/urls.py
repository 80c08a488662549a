from django.urls import path

from features.assignments import views

app_name = "assignments"

urlpatterns = [
    path("<int:assignment_id>/", views.assignment_page, name="assignment"),
    path("<int:assignment_id>/grading/", views.grading_page, name="grading"),
    path("submissions/<int:submission_id>/", views.submission_page, name="submission"),
    path("files/<int:file_id>/", views.download, name="file"),
]
