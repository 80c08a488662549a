from django.urls import path

from features.appraisals import views

app_name = "appraisals"

urlpatterns = [
    path("", views.appraisal_list, name="list"),
    path("<int:appraisal_id>/", views.appraisal_detail, name="detail"),
    path("<int:appraisal_id>/complete/", views.complete, name="complete"),
    path("<int:appraisal_id>/close/", views.close, name="close"),
]
