from django.urls import path

from features.courses import views

app_name = "courses"

urlpatterns = [
    path("", views.my_courses, name="mine"),
    path("request/", views.request_course, name="request"),
    path("<int:course_id>/", views.course_page, name="course"),
    path("<int:course_id>/enrol/", views.enrol_self, name="enrol"),
]
