"""A subscriber answers a forum post's email, and the answer becomes a reply in the discussion."""

from django.core import mail

from features.forums import actions
from features.forums.models import Post
from notifications import inbound

from .conftest import first_post, forum_emails
from .test_mail import mail_due


def test_a_reply_by_email_becomes_a_reply_to_the_post(
    forum, people, django_capture_on_commit_callbacks
):
    discussion = actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
    mail_due(django_capture_on_commit_callbacks)
    email = forum_emails(people["lee"])[0]
    post = first_post(discussion)
    assert email.reply_to == [inbound.reply_address(people["lee"].pk, "forum_post", post.pk)]
    reply = inbound.Reply(
        from_address=people["lee"].email,
        to_addresses=email.reply_to,
        subject="Re: " + email.subject,
        text="I will be there.\n\nOn Friday, Tara wrote:\n> Friday at ten.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply) == "processed"
    answer = Post.objects.get(parent=post)
    assert (answer.author, answer.message) == (people["lee"], "I will be there.")


def test_someone_outside_the_course_cannot_reply_by_email(
    forum, people, django_capture_on_commit_callbacks
):
    discussion = actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
    post = first_post(discussion)
    olive = people["olive"]
    reply = inbound.Reply(
        from_address=olive.email,
        to_addresses=[inbound.reply_address(olive.pk, "forum_post", post.pk)],
        subject="Re: Fire drill",
        text="Me too",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply) == "rejected"
    assert not Post.objects.filter(parent=post).exists()


def test_a_reply_to_a_deleted_post_is_refused_with_a_worded_reason(
    forum, people, django_capture_on_commit_callbacks
):
    discussion = actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
    post = first_post(discussion)
    lee = people["lee"]
    address = inbound.reply_address(lee.pk, "forum_post", post.pk)
    Post.objects.filter(pk=post.pk).delete()
    reply = inbound.Reply(lee.email, [address], "Re: Fire drill", "I will be there.")
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply) == "rejected"
    [failed] = [
        m
        for m in mail.outbox
        if m.extra_headers["X-Notification-Type"] == "messaging.inbound_failed"
    ]
    assert failed.to == [lee.email]
    assert "Reason: What it replies to no longer exists." in failed.body
