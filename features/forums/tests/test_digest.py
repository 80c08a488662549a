import datetime as dt
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command

from features.courses.tests.helpers import french_template
from features.forums import actions
from features.forums.models import MailPreference
from notifications import rendering
from notifications.models import Event

from .conftest import first_post, forum_emails, told

UTC = dt.UTC
WRITTEN = dt.datetime(2026, 3, 10, 10, 0, tzinfo=UTC)


def run(job, when, capture):
    with time_machine.travel(when, tick=False), capture(execute=True):
        call_command("cron", job, stdout=StringIO())


def test_digest_readers_get_one_email_a_day_instead_of_each_post(
    forum, people, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    actions.set_mail_mode(people["lee"], MailPreference.Mode.DIGEST)
    actions.set_mail_mode(people["sam"], MailPreference.Mode.DIGEST)
    with time_machine.travel(WRITTEN, tick=False):
        drill = actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
        actions.start_discussion(forum, people["tara"], "First aid", "Who is trained?")
        actions.reply(first_post(drill), people["lee"], "Which floor?")
        actions.set_discussion_subscription(drill, people["sam"], False)

    run("forums.mail_posts", WRITTEN + dt.timedelta(hours=1), capture)
    # Each-post readers got every post (but their own); the digest readers got nothing yet.
    assert told() == ["lou", "lou", "lou", "tara"]
    mail.outbox.clear()

    run("forums.daily_digest", dt.datetime(2026, 3, 10, 23, 50, tzinfo=UTC), capture)
    run("forums.daily_digest", dt.datetime(2026, 3, 11, 0, 10, tzinfo=UTC), capture)
    assert mail.outbox == []  # the 10th is not over, or its last posts may still be edited

    run("forums.daily_digest", dt.datetime(2026, 3, 11, 1, 0, tzinfo=UTC), capture)
    run("forums.daily_digest", dt.datetime(2026, 3, 11, 2, 0, tzinfo=UTC), capture)
    assert told() == ["lee", "sam"]
    [lee] = forum_emails(people["lee"])
    assert lee.subject == "Workplace safety: Daily digest of 10 March 2026, 2 new posts"
    assert "Fire drill (Safety questions), by Tara Trainer:\nFriday at ten." in lee.body
    assert "First aid (Safety questions), by Tara Trainer:\nWho is trained?" in lee.body
    assert "Which floor?" not in lee.body  # her own post
    [sam] = forum_emails(people["sam"])
    assert sam.subject == "Workplace safety: Daily digest of 10 March 2026, 1 new post"
    assert "Who is trained?" in sam.body
    assert "Fire drill" not in sam.body  # he left that discussion
    # One send per distinct set of posts, not per reader.
    assert Event.objects.filter(key="forums.post", dedupe_key="digest:2026-03-10").count() == 2


def test_the_digest_reaches_each_reader_in_their_language(
    forum, people, django_capture_on_commit_callbacks
):
    lee, lou = people["lee"], people["lou"]
    lou.language = "fr"
    lou.save()
    for reader in (lee, lou):
        actions.set_mail_mode(reader, MailPreference.Mode.DIGEST)
    french_template(
        "forums.post",
        '{{ course }} : résumé du {{ digest_date|date:"j F Y" }}, {{ post_count }} message'
        "{{ post_count|pluralize }}",
        'Bonjour {{ recipient }}, voici les messages du {{ digest_date|date:"j F Y" }} :'
        "{% for item in posts %}\n\n{{ item.discussion }} ({{ item.forum }}), "
        "par {{ item.author }} :\n{{ item.text }}{% endfor %}",
    )
    with time_machine.travel(WRITTEN, tick=False):
        actions.start_discussion(forum, people["tara"], "Fire drill", "Friday at ten.")
        actions.start_discussion(forum, people["tara"], "First aid", "Who is trained?")

    run(
        "forums.daily_digest",
        dt.datetime(2026, 3, 11, 1, 0, tzinfo=UTC),
        django_capture_on_commit_callbacks,
    )
    assert told() == ["lee", "lou"]  # one send for both: they get the same posts
    [to_lee] = forum_emails(lee)
    assert to_lee.subject == "Workplace safety: Daily digest of 10 March 2026, 2 new posts"
    assert to_lee.body.startswith(
        "The new posts of 10 March 2026 in the forums and discussions you follow:\n\n"
        "Fire drill (Safety questions), by Tara Trainer:\nFriday at ten.\nhttp://"
    )
    assert "\n\n-----\n\nFirst aid (Safety questions), by Tara Trainer:\n" in to_lee.body
    assert "See the forums: http://127.0.0.1:8000/forums/" in to_lee.body
    assert "posted in" not in to_lee.body  # the single post's wording
    [to_lou] = forum_emails(lou)
    assert to_lou.subject == "Workplace safety : résumé du 10 mars 2026, 2 messages"
    assert to_lou.body.startswith(
        "Bonjour Lou Learner, voici les messages du 10 mars 2026 :\n\n"
        "Fire drill (Safety questions), par Tara Trainer :\nFriday at ten.\n\n"
        "First aid (Safety questions), par Tara Trainer :\nWho is trained?"
    )
    for english in ("Daily digest", "March", "new post", ", by "):
        assert english not in to_lou.subject + to_lou.body


def test_a_single_post_email_is_worded_as_before_the_digest_placeholders():
    rendered = rendering.render(
        "forums.post",
        {
            "forum": "Safety questions",
            "discussion": "Fire drill",
            "author": "Tara Trainer",
            "post": "Friday at ten.",
            "course": "Workplace safety",
        },
        url="/forums/post/1/",
    )
    assert rendered.subject == "Workplace safety: Fire drill"
    assert rendered.text == (
        "Tara Trainer posted in Fire drill (Safety questions):\n\nFriday at ten.\n\n"
        "See this post in context: http://127.0.0.1:8000/forums/post/1/\n\n"
        "You receive this because you are subscribed to this forum or discussion."
    )


def test_a_day_without_posts_sends_no_digest(forum, people, django_capture_on_commit_callbacks):
    actions.set_mail_mode(people["lee"], MailPreference.Mode.DIGEST)
    run(
        "forums.daily_digest",
        dt.datetime(2026, 3, 11, 1, 0, tzinfo=UTC),
        django_capture_on_commit_callbacks,
    )
    assert mail.outbox == []
