from django.urls import path

from features.seminars import views

app_name = "seminars"

urlpatterns = [
    path("", views.seminar_list, name="list"),
    path("<int:seminar_id>/", views.seminar_detail, name="detail"),
    path("sessions/<int:session_id>/book", views.book, name="book"),
    path("sessions/<int:session_id>/attendance", views.attendance, name="attendance"),
    path("bookings/", views.my_bookings, name="my-bookings"),
    path("bookings/<int:booking_id>/cancel", views.cancel, name="cancel"),
    path("bookings/<int:booking_id>/calendar.ics", views.calendar, name="calendar"),
]
