from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from alerts.models import Alert
from features.courses.factories import EnrolmentFactory
from features.courses.tests.helpers import french_template
from features.forums import actions
from features.forums.models import Forum, Post
from notifications.models import Event

from .conftest import after_window, first_post, forum_emails, make_forum, told

Mode = Forum.Mode


def mail_due(capture, when=None):
    """Runs the mail job as cron does, at `when` (default: after the edit window)."""
    with time_machine.travel(when or after_window(), tick=False), capture(execute=True):
        call_command("cron", "forums.mail_posts", stdout=StringIO())


def test_a_post_is_mailed_to_every_subscriber_but_its_author_after_the_edit_window(
    forum, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        discussion = actions.start_discussion(
            forum, people["tara"], "Fire drill", "The fire drill is on Friday at ten."
        )
        actions.mail_posts()
    assert mail.outbox == []  # still in its edit window

    mail_due(django_capture_on_commit_callbacks)

    assert told() == ["lee", "lou", "sam"]  # not tara (the author), not olive (not in the course)
    message = forum_emails(people["lee"])[0]
    assert message.subject == "Workplace safety: Fire drill"
    assert "Tara Trainer posted in Fire drill (Safety questions)" in message.body
    assert "The fire drill is on Friday at ten." in message.body
    assert f"/forums/discussion/{discussion.pk}/#post-{first_post(discussion).pk}" in message.body
    assert Alert.objects.count() == 0  # an email notification: not in the web inbox by default
    assert first_post(discussion).mailed_at is not None


def test_a_post_reaches_each_subscriber_in_their_language(
    forum, people, django_capture_on_commit_callbacks
):
    lou = people["lou"]
    lou.language = "fr"
    lou.save()
    french_template(
        "forums.post",
        "{{ course }} : nouveau message dans {{ discussion }}",
        "{{ author }} a écrit dans {{ discussion }} ({{ forum }}) :\n\n{{ post }}",
    )
    actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["lee", "lou", "sam"]  # one send, each in their language
    [to_lee] = forum_emails(people["lee"])
    assert to_lee.subject == "Workplace safety: Fire drill"
    assert "Tara Trainer posted in Fire drill (Safety questions):\n\nFriday at ten." in to_lee.body
    [to_lou] = forum_emails(lou)
    assert to_lou.subject == "Workplace safety : nouveau message dans Fire drill"
    assert "Tara Trainer a écrit dans Fire drill (Safety questions) :\n\nFriday at ten." in (
        to_lou.body
    )
    assert "posted in" not in to_lou.body


def test_the_job_mails_each_post_once_however_often_cron_runs(
    forum, people, django_capture_on_commit_callbacks
):
    actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
    mail_due(django_capture_on_commit_callbacks)
    mail_due(django_capture_on_commit_callbacks)
    Post.objects.update(mailed_at=None)  # even if the claim were lost, the dedupe key holds
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["lee", "lou", "sam"]


def test_each_post_is_one_send_whatever_the_number_of_subscribers(
    forum, course, people, django_capture_on_commit_callbacks
):
    def queries_to_mail_one_post() -> int:
        Post.objects.filter(mailed_at__isnull=True).delete()
        discussion = actions.start_discussion(forum, people["tara"], "Subject", "Text")
        with (
            time_machine.travel(after_window(), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            actions.mail_posts()
        assert Post.objects.get(discussion=discussion).mailed_at is not None
        return len(queries)

    few = queries_to_mail_one_post()
    for _ in range(20):
        EnrolmentFactory(course=course, user=UserFactory())
    many = queries_to_mail_one_post()
    assert few == many
    assert Event.objects.filter(key="forums.post").count() == 2


def test_replies_carry_threading_headers_so_mail_clients_group_the_discussion(
    forum, people, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "learn.example.org"
    discussion = actions.start_discussion(forum, people["tara"], "Fire drill", "Friday.")
    root = first_post(discussion)
    answer = actions.reply(root, people["lee"], "Which floor?")
    again = actions.reply(answer, people["tara"], "All floors.")
    mail_due(django_capture_on_commit_callbacks)

    def headers(post, to):
        [message] = [m for m in forum_emails(to) if f"#post-{post.pk}" in m.body]
        return message.extra_headers

    def mid(post):
        return f"<post-{post.pk}@learn.example.org>"

    first = headers(root, people["lou"])
    assert first["Message-ID"] == mid(root)
    assert "In-Reply-To" not in first and "References" not in first
    second = headers(answer, people["lou"])
    assert second["Message-ID"] == mid(answer)
    assert second["In-Reply-To"] == mid(root)
    assert second["References"] == mid(root)
    third = headers(again, people["lou"])
    assert third["In-Reply-To"] == mid(answer)
    assert third["References"] == f"{mid(root)} {mid(answer)}"
    # The rendered email keeps the header (one Message-ID per post, the same for everyone).
    assert headers(again, people["lee"])["Message-ID"] == mid(again)


def test_forced_subscription_mails_every_participant_who_cannot_unsubscribe(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.FORCED)
    with pytest.raises(actions.ForumError, match="cannot be changed"):
        actions.set_forum_subscription(forum, people["lee"], False)
    discussion = actions.start_discussion(forum, people["tara"], "News", "Read this.")
    with pytest.raises(actions.ForumError, match="cannot be changed"):
        actions.set_discussion_subscription(discussion, people["lee"], False)
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["lee", "lou", "sam"]


def test_auto_subscription_mails_participants_until_they_unsubscribe(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.AUTO)
    actions.set_forum_subscription(forum, people["lou"], False)
    actions.start_discussion(forum, people["tara"], "News", "Read this.")
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["lee", "sam"]


def test_optional_subscription_mails_only_those_who_subscribed(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.OPTIONAL)
    actions.set_forum_subscription(forum, people["sam"], True)
    actions.start_discussion(forum, people["tara"], "News", "Read this.")
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["sam"]


def test_a_forum_with_subscriptions_off_mails_nobody(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.OFF)
    with pytest.raises(actions.ForumError, match="turned off"):
        actions.set_forum_subscription(forum, people["lee"], True)
    discussion = actions.start_discussion(forum, people["tara"], "News", "Read this.")
    mail_due(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert first_post(discussion).mailed_at is not None  # done with, not retried forever


def test_a_discussion_subscription_adds_one_discussion_of_an_optional_forum(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.OPTIONAL)
    followed = actions.start_discussion(forum, people["tara"], "Followed", "One.")
    actions.start_discussion(forum, people["tara"], "Other", "Two.")
    actions.set_discussion_subscription(followed, people["lee"], True)
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["lee"]
    assert forum_emails()[0].subject == "Workplace safety: Followed"


def test_unsubscribing_from_a_discussion_of_an_auto_forum_stops_only_its_posts(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.AUTO)
    muted = actions.start_discussion(forum, people["tara"], "Muted", "One.")
    actions.start_discussion(forum, people["tara"], "Other", "Two.")
    actions.set_discussion_subscription(muted, people["lee"], False)
    mail_due(django_capture_on_commit_callbacks)
    subjects = sorted(m.subject for m in forum_emails(people["lee"]))
    assert subjects == ["Workplace safety: Other"]
    assert len(forum_emails(people["lou"])) == 2


def test_a_forum_choice_resets_the_choices_for_its_discussions(course, people):
    forum = make_forum(course, Mode.AUTO)
    discussion = actions.start_discussion(forum, people["tara"], "Muted", "One.")
    actions.set_discussion_subscription(discussion, people["lee"], False)
    actions.set_forum_subscription(forum, people["lee"], True)
    from features.forums.queries import subscribers

    assert people["lee"] in subscribers(discussion)


def test_posting_subscribes_the_author_to_the_discussion_of_an_optional_forum(
    course, people, django_capture_on_commit_callbacks
):
    forum = make_forum(course, Mode.OPTIONAL)
    discussion = actions.start_discussion(forum, people["tara"], "Question", "Any question?")
    actions.reply(first_post(discussion), people["lee"], "Yes, one.")
    actions.reply(first_post(discussion), people["lou"], "Me too.", subscribe=False)
    mail_due(django_capture_on_commit_callbacks)
    # Subscriptions count when the posts are mailed: tara (subscribed by starting it) gets
    # both replies, lee gets the first post and lou's reply, lou (who opted out) nothing.
    assert told() == ["lee", "lee", "tara", "tara"]


def test_someone_outside_the_course_can_neither_post_nor_receive(
    forum, course, people, django_capture_on_commit_callbacks
):
    with pytest.raises(actions.ForumError, match="participants"):
        actions.start_discussion(forum, people["olive"], "Hello", "Let me in.")
    ended = UserFactory(username="ended")
    EnrolmentFactory(course=course, user=ended, ends_at=after_window(600))
    actions.start_discussion(forum, people["tara"], "News", "Read this.")
    mail_due(django_capture_on_commit_callbacks)
    assert told() == ["ended", "lee", "lou", "sam"]  # still enrolled when the post is mailed
    mail.outbox.clear()
    actions.start_discussion(forum, people["tara"], "Later", "Again.")
    mail_due(django_capture_on_commit_callbacks, when=after_window(3600))
    assert told() == ["lee", "lou", "sam"]  # the ended enrolment no longer gets mail


def test_an_empty_post_is_refused_and_nothing_is_saved(forum, people):
    with pytest.raises(actions.ForumError, match="empty"):
        actions.start_discussion(forum, people["tara"], "Subject", "   ")
    with pytest.raises(actions.ForumError, match="subject"):
        actions.start_discussion(forum, people["tara"], "  ", "Text")
    discussion = actions.start_discussion(forum, people["tara"], "Subject", "Text")
    with pytest.raises(actions.ForumError, match="empty"):
        actions.reply(first_post(discussion), people["lee"], "\n")
    with pytest.raises(actions.ForumError, match="empty"):
        actions.edit_post(first_post(discussion), people["tara"], "")
    assert Post.objects.count() == 1
    assert first_post(discussion).message == "Text"


def test_an_edit_within_the_window_is_what_subscribers_receive(
    forum, people, django_capture_on_commit_callbacks
):
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday at 10.")
    actions.edit_post(first_post(discussion), people["tara"], "Friday at 11, not 10.")
    mail_due(django_capture_on_commit_callbacks)
    assert all("Friday at 11, not 10." in m.body for m in forum_emails())
    assert len(forum_emails()) == 3


def test_a_post_cannot_be_edited_after_its_window_or_by_someone_else(forum, people):
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday at 10.")
    post = first_post(discussion)
    with pytest.raises(actions.ForumError, match="your own"):
        actions.edit_post(post, people["lee"], "Hijacked")
    with (
        time_machine.travel(after_window(), tick=False),
        pytest.raises(actions.ForumError, match="no longer"),
    ):
        actions.edit_post(post, people["tara"], "Too late")
    post.refresh_from_db()
    assert post.message == "Friday at 10."


def test_a_mailed_post_cannot_be_edited_any_more(forum, people):
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday at 10.")
    post = first_post(discussion)
    Post.objects.filter(pk=post.pk).update(mailed_at=post.created_at)
    with pytest.raises(actions.ForumError, match="no longer"):
        actions.edit_post(post, people["tara"], "Changed")


def test_an_unknown_mail_mode_is_refused(people):
    with pytest.raises(actions.ForumError, match="how you want"):
        actions.set_mail_mode(people["lee"], "weekly")
