from django.urls import path

from features.feedback import views

app_name = "feedback"

urlpatterns = [
    path("<int:activity_id>/", views.activity_page, name="activity"),
    path("<int:activity_id>/remind/", views.remind, name="remind"),
    path("<int:activity_id>/responses/", views.responses, name="responses"),
]
