from django.urls import path

from features.feedback360 import views

app_name = "feedback360"

urlpatterns = [
    path("", views.feedback_list, name="list"),
    path("new/", views.new_request, name="new"),
    path("<int:request_id>/", views.detail, name="detail"),
    path("<int:request_id>/cancel/", views.cancel, name="cancel"),
    path("<int:request_id>/responders/", views.change_responders, name="responders"),
    path("<int:request_id>/remind/", views.remind, name="remind"),
    path("<int:request_id>/respond/", views.respond, name="respond"),
    path("external/<str:token>/", views.respond_external, name="external"),
]
