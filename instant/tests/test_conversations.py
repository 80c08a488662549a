"""Conversations and messages: one-to-one, groups, notes, unread counts, receipts, limits, email."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from instant import actions, queries
from instant.models import Conversation, Membership, Message, Privacy
from notifications import presence
from notifications.live import counts_for
from notifications.rendering import absolute


@pytest.fixture
def ann(db):
    user = UserFactory(username="ann", full_name="Ann A")
    actions.set_privacy(user, Privacy.SITE)
    return user


@pytest.fixture
def bob(db):
    user = UserFactory(username="bob", full_name="Bob B")
    actions.set_privacy(user, Privacy.SITE)
    return user


def test_a_pair_has_one_conversation(ann, bob):
    first, created = actions.start_conversation(ann, [bob.pk])
    again, created_again = actions.start_conversation(bob, [ann.pk])
    assert created and not created_again and first == again
    assert first.kind == Conversation.Kind.ONE_TO_ONE


def test_own_notes_and_groups(ann, bob):
    notes, _ = actions.start_conversation(ann, [])
    assert notes.kind == Conversation.Kind.SELF
    cat = UserFactory()
    actions.set_privacy(cat, Privacy.SITE)
    group, _ = actions.start_conversation(ann, [bob.pk, cat.pk], name="Project")
    assert group.kind == Conversation.Kind.GROUP and group.memberships.count() == 3


def test_unread_counts_and_read_receipts(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.send_message(ann, conversation.pk, "Hello")
    actions.send_message(ann, conversation.pk, "Are you there?")
    assert counts_for(bob)["messages"] == 2
    assert counts_for(ann)["messages"] == 0
    row = queries.conversations_for(bob).get()
    assert row.unread == 2 and row.last_body == "Are you there?"
    actions.mark_read(bob, conversation.pk)
    assert counts_for(bob)["messages"] == 0
    receipt = queries.read_receipt(ann, conversation)
    assert receipt >= Message.objects.latest("created_at").created_at


def test_muted_conversations_do_not_count(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.set_flags(bob, conversation.pk, muted=True)
    actions.send_message(ann, conversation.pk, "Hi")
    assert counts_for(bob)["messages"] == 0


def test_a_message_longer_than_4096_characters_is_refused_and_nothing_saved(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    with pytest.raises(actions.MessagingError, match="at most 4096"):
        actions.send_message(ann, conversation.pk, "x" * 4097)
    with pytest.raises(actions.MessagingError, match="Write a message"):
        actions.send_message(ann, conversation.pk, "   ")
    assert not Message.objects.exists()


def test_only_members_reach_a_conversation(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    outsider = UserFactory()
    with pytest.raises(Conversation.DoesNotExist):
        actions.send_message(outsider, conversation.pk, "Let me in")


def test_blocking_stops_an_existing_conversation(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.set_flags(bob, conversation.pk, hidden=True)
    actions.block(bob, ann.pk)
    with pytest.raises(actions.MessagingError, match="does not accept"):
        actions.send_message(ann, conversation.pk, "Hi")
    # Nothing of the send was written (on PostgreSQL the check and the writes are one statement).
    conversation.refresh_from_db()
    assert conversation.last_message_at is None
    assert not Message.objects.exists()
    assert conversation.memberships.get(user=bob).hidden


def test_the_rate_limit(ann, bob, settings):
    settings.INSTANT_RATE_LIMIT = (3, 60)
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    for n in range(3):
        actions.send_message(ann, conversation.pk, f"m{n}")
    with pytest.raises(actions.RateLimited, match="at most 3 every 60 seconds"):
        actions.send_message(ann, conversation.pk, "one too many")
    assert Message.objects.count() == 3


def test_outsiders_over_the_rate_limit_still_get_does_not_exist(ann, bob, settings):
    settings.INSTANT_RATE_LIMIT = (1, 60)
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    outsider = UserFactory()
    for _ in range(3):
        with pytest.raises(Conversation.DoesNotExist):
            actions.send_message(outsider, conversation.pk, "Let me in")
    assert not Message.objects.exists()


@pytest.mark.services
def test_the_rate_limit_counts_expire_in_redis(ann, bob, settings):
    """On Redis the count is one pipeline (SET NX EX, INCR): the key lives one window, and a
    second message does not push its expiry further."""
    from notifications.presence import _redis_writer, shared_cache

    settings.INSTANT_RATE_LIMIT = (5, 60)
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.send_message(ann, conversation.pk, "one")
    cache = shared_cache()
    client = _redis_writer(cache)
    [key] = client.keys(cache.make_key(f"instant:rate:{ann.pk}:*"))
    client.expire(key, 30)
    actions.send_message(ann, conversation.pk, "two")
    assert int(client.get(key)) == 2
    assert 0 < client.ttl(key) <= 30


def test_deleting_a_message_for_oneself(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    message = actions.send_message(ann, conversation.pk, "Oops")
    actions.delete_for_me(bob, message.pk)
    assert queries.thread(bob, conversation)[0] == []
    assert queries.thread(ann, conversation)[0] == [message]


def test_older_messages_page(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    sent = [
        actions.send_message(ann, conversation.pk, f"m{n}", check_rate=False) for n in range(35)
    ]
    page, has_older = queries.thread(bob, conversation)
    assert has_older and page[-1] == sent[-1] and len(page) == 30
    rest, more = queries.thread(bob, conversation, before=page[0].pk)
    assert rest == sent[:5] and not more


def test_the_people_block_sends_one_message_to_each(ann, bob, db):
    cat = UserFactory()
    actions.set_privacy(cat, Privacy.CONTACTS)
    sent, refused = actions.message_each(ann, [bob.pk, cat.pk], "Welcome to the course")
    assert sent == 1 and set(refused) == {cat.pk}
    assert Conversation.objects.filter(kind="one_to_one").count() == 1


# Email for those away


def test_unread_messages_are_emailed_once_after_the_delay(
    ann, bob, settings, django_capture_on_commit_callbacks
):
    settings.INSTANT_EMAIL_DELAY_SECONDS = 300
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    start = timezone.now()
    with time_machine.travel(start):
        actions.send_message(ann, conversation.pk, "First")
    with time_machine.travel(start + timedelta(minutes=2)):
        actions.send_message(ann, conversation.pk, "Second")
        with django_capture_on_commit_callbacks(execute=True):
            assert actions.email_unread_messages() == 0  # not yet
    with (
        time_machine.travel(start + timedelta(minutes=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.email_unread_messages() == 1
        assert actions.email_unread_messages() == 0  # once
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [bob.email]
    assert "First" in email.body and "Second" in email.body
    assert "Ann A" in email.subject


def test_a_message_read_in_time_is_not_emailed(ann, bob, django_capture_on_commit_callbacks):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.send_message(ann, conversation.pk, "Hi")
    actions.mark_read(bob, conversation.pk)
    with (
        time_machine.travel(timezone.now() + timedelta(hours=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.email_unread_messages() == 0
    assert mail.outbox == []


def test_a_member_logged_in_is_not_emailed_by_default(ann, bob, django_capture_on_commit_callbacks):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.send_message(ann, conversation.pk, "Hi")
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        presence.touch(bob.pk)
        with django_capture_on_commit_callbacks(execute=True):
            actions.email_unread_messages()
    assert mail.outbox == []
    assert Membership.objects.get(user=bob).emailed_up_to is not None


def test_a_message_shows_the_conversation_again_and_is_read_by_its_sender_only(ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    actions.set_flags(bob, conversation.pk, hidden=True)
    actions.set_flags(ann, conversation.pk, hidden=True)
    message = actions.send_message(ann, conversation.pk, "Back again")
    anns, bobs = (Membership.objects.get(conversation=conversation, user=u) for u in (ann, bob))
    assert not anns.hidden and not bobs.hidden
    assert anns.last_read_at == message.created_at
    assert bobs.last_read_at < message.created_at
    assert counts_for(bob)["messages"] == 1


def test_a_group_keeps_its_members_whatever_the_pair_rules_say(ann, bob):
    """The rules decide who may be added to a group, not who may write in it afterwards."""
    cat = UserFactory()
    actions.set_privacy(cat, Privacy.SITE)
    group, _ = actions.start_conversation(ann, [bob.pk, cat.pk], name="Project")
    actions.block(cat, ann.pk)
    actions.set_privacy(bob, Privacy.CONTACTS)
    actions.send_message(ann, group.pk, "Hello all")
    assert counts_for(bob)["messages"] == 1 and counts_for(cat)["messages"] == 1
    one_to_one, _ = actions.start_conversation(bob, [ann.pk])
    with pytest.raises(actions.MessagingError, match="contacts only"):
        actions.send_message(ann, one_to_one.pk, "Hello Bob")


def test_the_email_links_to_muting_the_conversation(
    ann, bob, client, settings, django_capture_on_commit_callbacks
):
    settings.INSTANT_EMAIL_DELAY_SECONDS = 300
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    later = timezone.now() + timedelta(minutes=10)
    actions.send_message(ann, conversation.pk, "First")
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert actions.email_unread_messages() == 1
    [email] = mail.outbox
    link = absolute(f"/messages/{conversation.pk}/mute")
    html = email.alternatives[0][0]
    assert f"Mute this conversation: {link}" in email.body and f'href="{link}"' in html

    # Someone not in the conversation cannot reach it, nor mute it.
    client.force_login(UserFactory(username="cy"))
    assert client.get(f"/messages/{conversation.pk}/mute").status_code == 404
    assert client.post(f"/messages/{conversation.pk}/mute").status_code == 404

    client.force_login(bob)
    page = client.get(f"/messages/{conversation.pk}/mute")
    assert page.status_code == 200
    assert "Mute Ann A?" in page.content.decode()
    assert not Membership.objects.get(user=bob).muted
    response = client.post(f"/messages/{conversation.pk}/mute", follow=True)
    assert response.redirect_chain[-1][0] == f"/messages/{conversation.pk}/"
    assert "The conversation is muted" in response.content.decode()
    assert Membership.objects.get(user=bob).muted
    assert not Membership.objects.get(user=ann).muted  # only bob's side

    # Its next message is not emailed to bob.
    actions.send_message(ann, conversation.pk, "Second")
    with (
        time_machine.travel(later + timedelta(minutes=10)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.email_unread_messages() == 0
    assert len(mail.outbox) == 1


def away_group(ann, size: int):
    members = [UserFactory(username=f"m{size}-{i}") for i in range(size)]
    for member in members:
        actions.set_privacy(member, Privacy.SITE)
    group, _ = actions.start_conversation(ann, [m.pk for m in members], name=f"Group {size}")
    return group, members


def test_members_away_are_emailed_together_in_constant_queries(
    ann, bob, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = {}
    for size in (3, 12):
        group, members = away_group(ann, size)
        actions.send_message(ann, group.pk, f"Hello {size}")
        actions.send_message(ann, group.pk, "Meeting at 10")
        later = timezone.now() + timedelta(hours=1)
        mail.outbox.clear()
        with (
            time_machine.travel(later),
            CaptureQueriesContext(connection) as captured,
            django_capture_on_commit_callbacks(execute=True),
        ):
            assert actions.email_unread_messages() == size
        queries[size] = len(captured)
        assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
        assert all(f"Hello {size}" in m.body and "Meeting at 10" in m.body for m in mail.outbox)
        assert not Membership.objects.filter(
            conversation=group, user__in=members, emailed_up_to=None
        ).exists()
    assert queries[3] == queries[12], queries


def test_members_who_read_different_messages_each_get_what_they_missed(
    ann, bob, django_capture_on_commit_callbacks
):
    group, (early, late) = away_group(ann, 2)
    start = timezone.now()
    with time_machine.travel(start):
        actions.send_message(ann, group.pk, "First")
    with time_machine.travel(start + timedelta(seconds=30)):
        actions.mark_read(early, group.pk)
        actions.send_message(ann, group.pk, "Second")
    with (
        time_machine.travel(start + timedelta(hours=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert actions.email_unread_messages() == 2
        assert actions.email_unread_messages() == 0
    bodies = {m.to[0]: m.body for m in mail.outbox}
    assert "First" in bodies[late.email] and "Second" in bodies[late.email]
    assert "First" not in bodies[early.email] and "Second" in bodies[early.email]
