from django.urls import path

from instant import views

urlpatterns = [
    path("messages/", views.inbox, name="messages"),
    path("messages/block/", views.messages_block, name="messages-block"),
    path("messages/start", views.start, name="start-conversation"),
    path("messages/settings/", views.settings_page, name="messaging-settings"),
    path("messages/<int:conversation_id>/", views.inbox, name="conversation"),
    path("messages/<int:conversation_id>/thread", views.thread_partial, name="conversation-thread"),
    path("messages/<int:conversation_id>/older", views.older, name="conversation-older"),
    path("messages/<int:conversation_id>/send", views.send, name="send-message"),
    path("messages/<int:conversation_id>/flags", views.flags, name="conversation-flags"),
    path("messages/<int:conversation_id>/mute", views.mute, name="conversation-mute"),
    path(
        "messages/<int:conversation_id>/delete/<int:message_id>",
        views.delete_message,
        name="delete-message",
    ),
    path("people/<int:course_id>/", views.people, name="people"),
    path("users/<int:user_id>/", views.profile, name="profile"),
    path("users/<int:user_id>/contact", views.contact_action, name="contact-action"),
]
