from django.urls import path

from features.programs import views

app_name = "programs"

urlpatterns = [
    path("my/", views.my_learning, name="my"),
    path("my/<int:assignment_id>/extension/", views.request_extension, name="extension"),
]
