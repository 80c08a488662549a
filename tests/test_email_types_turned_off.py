"""Forum, site administration and messaging emails: each sent by its real action, and stopped by
each of the four ways to turn it off (site output, type setting, user preference, unsubscribe).

The course apps test theirs beside their code, with the same helper."""

import itertools
import logging
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.tests.helpers import assert_turning_off_stops_email, turned_off_ways
from features.forums import actions as forum_actions
from features.forums.models import Forum
from features.site_admin.actions import check_for_updates, record_event
from features.site_admin.logging import NotifyAdminsHandler
from features.site_admin.models import Rule, RuleSubscription
from features.site_admin.tests.feed import serve_release_feed
from instant import actions as instant_actions
from instant.models import Privacy
from notifications import inbound


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@turned_off_ways
def test_forum_posts(way, client, capture, db):
    course = CourseFactory()
    author, reader = UserFactory(), UserFactory()
    for user in (author, reader):
        EnrolmentFactory(course=course, user=user)
    forum = Forum.objects.create(course=course, name="News", mode=Forum.Mode.FORCED)

    def perform():
        forum_actions.start_discussion(forum, author, f"Topic {uuid.uuid4().hex[:6]}", "Hello")
        forum_actions.mail_posts(now=timezone.now() + timedelta(hours=2))

    assert_turning_off_stops_email(
        way, "forums.post", reader, perform, client=client, capture=capture
    )


@pytest.fixture
def logger():
    """A test logger with the admins' handler (the test settings leave it off the root)."""
    log = logging.getLogger(f"tests.problems.{uuid.uuid4().hex[:8]}")
    handler = NotifyAdminsHandler()
    log.addHandler(handler)
    log.setLevel(logging.WARNING)
    log.propagate = False
    yield log
    log.removeHandler(handler)


@turned_off_ways
def test_site_errors(way, client, capture, logger, db):
    admin = AdminFactory()

    def perform():
        # A new message template each time: a repeat of one would only be counted (rate limit).
        logger.error(f"Disk {uuid.uuid4().hex} is full")

    assert_turning_off_stops_email(
        way, "site_admin.errors", admin, perform, client=client, capture=capture
    )


@turned_off_ways
def test_minor_problems(way, client, capture, logger, db):
    admin = AdminFactory()

    def perform():
        logger.warning(f"Disk {uuid.uuid4().hex} is nearly full")  # a new problem each time

    assert_turning_off_stops_email(
        way, "site_admin.minor_problems", admin, perform, client=client, capture=capture
    )


@turned_off_ways
def test_available_updates(way, client, capture, settings, db):
    admin = AdminFactory()
    minor = itertools.count(1)

    with serve_release_feed(settings) as publish:

        def perform():
            publish({"version": f"99.{next(minor)}.0"})  # each check finds a newer release
            check_for_updates()

        assert_turning_off_stops_email(
            way, "site_admin.available_updates", admin, perform, client=client, capture=capture
        )


@turned_off_ways
def test_backups(way, client, capture, transactional_db, tmp_path):
    # The backup runs outside any transaction, as the command does.
    admin = AdminFactory()

    def perform():
        call_command(
            "backup", output=str(tmp_path / f"{uuid.uuid4().hex}.sqlite3"), stdout=StringIO()
        )

    if "sqlite" not in __import__("django.db").db.connection.vendor:
        pytest.skip("the SQLite backup needs the SQLite database")
    assert_turning_off_stops_email(
        way, "site_admin.backup_completed", admin, perform, client=client, capture=capture
    )


@turned_off_ways
def test_rule_subscriptions(way, client, capture, db):
    admin = AdminFactory()

    def perform():
        name = f"tests.{uuid.uuid4().hex[:8]}"
        rule = Rule.objects.create(name="Watch", event_name=name, threshold=1, window_minutes=5)
        RuleSubscription.objects.create(rule=rule, user=admin)
        record_event(name)

    assert_turning_off_stops_email(
        way, "site_admin.rule_subscription", admin, perform, client=client, capture=capture
    )


@pytest.fixture
def chat(db):
    ann, bob = UserFactory(), UserFactory()
    for user in (ann, bob):
        instant_actions.set_privacy(user, Privacy.SITE)
    conversation, _ = instant_actions.start_conversation(ann, [bob.pk])
    return ann, bob, conversation


@turned_off_ways
def test_personal_messages_to_those_away(way, client, capture, chat):
    ann, bob, conversation = chat

    def perform():
        instant_actions.send_message(ann, conversation.pk, "Are you there?", check_rate=False)
        instant_actions.email_unread_messages(now=timezone.now() + timedelta(hours=1))
        instant_actions.mark_read(bob, conversation.pk)

    assert_turning_off_stops_email(
        way, "messaging.personal", bob, perform, client=client, capture=capture
    )


@turned_off_ways
def test_inbound_processed(way, client, capture, chat):
    ann, bob, conversation = chat

    def perform():
        address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
        inbound.receive(inbound.Reply(bob.email, [address], "Re: hi", f"Yes {uuid.uuid4().hex}"))

    assert_turning_off_stops_email(
        way, "messaging.inbound_processed", bob, perform, client=client, capture=capture
    )


@turned_off_ways
def test_inbound_confirm_sender(way, client, capture, chat):
    ann, bob, conversation = chat

    def perform():
        address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
        inbound.receive(inbound.Reply("bob@home.example", [address], "Re: hi", "From home"))

    assert_turning_off_stops_email(
        way, "messaging.inbound_confirm_sender", bob, perform, client=client, capture=capture
    )


@turned_off_ways
def test_inbound_failed(way, client, capture, chat):
    ann, bob, conversation = chat
    admin = AdminFactory()

    def perform():
        inbound.receive(inbound.Reply(bob.email, ["nobody@elsewhere.example"], "Re: hi", "Lost"))

    assert_turning_off_stops_email(
        way, "messaging.inbound_failed", admin, perform, client=client, capture=capture
    )
