from django.urls import path

from features.job_assignments import views

app_name = "job_assignments"

urlpatterns = [
    path("<int:assignment_id>/", views.detail, name="detail"),
]
