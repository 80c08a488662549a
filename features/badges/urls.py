from django.urls import path

from features.badges import views

app_name = "badges"

urlpatterns = [
    path("", views.my_badges, name="mine"),
    path("<int:badge_id>/", views.badge_page, name="badge"),
    path("awards/<int:award_id>/", views.award_page, name="award"),
]
