from django.urls import path

from features.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/", views.new_plan, name="new"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/edit/", views.edit_plan, name="edit"),
    path("<int:plan_id>/request/", views.request_approval, name="request"),
    path("<int:plan_id>/comment/", views.comment, name="comment"),
    path("<int:plan_id>/complete/", views.complete_plan, name="complete"),
    path("<int:plan_id>/delete/", views.delete_plan, name="delete"),
    path("<int:plan_id>/items/", views.add_item, name="add-item"),
    path(
        "items/<int:item_id>/<slug:verb>/",
        views.item_action,
        name="item",
    ),
]
