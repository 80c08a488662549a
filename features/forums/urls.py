from django.urls import path

from features.forums import views

app_name = "forums"

urlpatterns = [
    path("", views.forum_list, name="list"),
    path("<int:forum_id>/", views.forum_detail, name="forum"),
    path("<int:forum_id>/discussions/", views.start_discussion, name="start-discussion"),
    path("<int:forum_id>/subscription/", views.forum_subscription, name="forum-subscription"),
    path("<int:forum_id>/mail-preference/", views.mail_preference, name="mail-preference"),
    path("discussion/<int:discussion_id>/", views.discussion_detail, name="discussion"),
    path("discussion/<int:discussion_id>/reply/", views.reply, name="reply"),
    path(
        "discussion/<int:discussion_id>/subscription/",
        views.discussion_subscription,
        name="discussion-subscription",
    ),
    path("post/<int:post_id>/edit/", views.edit_post, name="edit-post"),
]
