"""Live delivery over the WebSocket: to every tab of the members, to nobody else."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.factories import UserFactory
from instant import actions
from instant.models import Privacy
from totara_messaging.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)


def headers_for(_client, user):
    client = Client()  # one session per user: logging in another user ends the previous one
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1:8000")]


async def connect(headers):
    tab = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await tab.connect()
    assert connected
    assert (await tab.receive_json_from(timeout=5))["type"] == "counts"
    return tab


async def connect_all(*headers):
    """One tab each, opened in turn."""
    return [await connect(each) for each in headers]


async def next_of(tab, *frame_types, timeout=5):
    while True:
        frame = await tab.receive_json_from(timeout=timeout)
        if frame["type"] in frame_types:
            return frame


@pytest.fixture
def people(db):
    ann, bob, cat = (UserFactory(username=n, full_name=n.title()) for n in ("ann", "bob", "cat"))
    for user in (ann, bob, cat):
        actions.set_privacy(user, Privacy.SITE)
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    return ann, bob, cat, conversation


def test_a_message_reaches_both_tabs_of_the_recipient_and_not_others(client, people):
    ann, bob, cat, conversation = people
    bob_headers = headers_for(client, bob)
    cat_headers = headers_for(client, cat)

    async def run():
        tab1, tab2, cats = (
            await connect(bob_headers),
            await connect(bob_headers),
            await connect(cat_headers),
        )
        await sync_to_async(actions.send_message)(ann, conversation.pk, "Hello Bob")
        for tab in (tab1, tab2):
            frame = await next_of(tab, "message.new")
            assert frame["conversation"] == conversation.pk
            assert frame["message"]["body"] == "Hello Bob"
            counts = await next_of(tab, "counts")
            assert counts["messages"] == 1
        assert await cats.receive_nothing(timeout=0.3)
        for tab in (tab1, tab2, cats):
            await tab.disconnect()

    asyncio.run(run())


@pytest.mark.services
def test_a_senders_only_tab_costs_no_push_to_their_own_group(client, people, monkeypatch):
    """The sending tab has its answer; the sender's group is looked up while the message is
    saved, and with no other tab there nothing is delivered to it."""
    from notifications import delivery, live

    ann, bob, _, conversation = people
    delivered = []
    deliver = delivery.deliver

    async def recording(targets, message):
        delivered.append((targets.groups, len(targets.channels)))
        await deliver(targets, message)

    monkeypatch.setattr(delivery, "deliver", recording)
    ann_headers = headers_for(client, ann)
    anns_group, bobs_group = (live.group_name(u.pk) for u in (ann, bob))

    async def send(tab, body):
        await tab.send_json_to(
            {"type": "message.send", "conversation": conversation.pk, "body": body}
        )
        assert (await next_of(tab, "message.sent"))["message"]["body"] == body

    async def run():
        tab = await connect(ann_headers)
        await send(tab, "alone")
        other_tab = await connect(ann_headers)
        await send(tab, "with another tab open")
        # The sender's other tabs come after the answer to the sending tab.
        frame = await next_of(other_tab, "message.new")
        assert frame["message"]["body"] == "with another tab open"
        assert await tab.receive_nothing(timeout=0.3)  # no echo
        for each in (tab, other_tab):
            await each.disconnect()

    asyncio.run(run())
    # Bob has no tab open: his group has no sockets either.
    assert delivered == [
        ((bobs_group,), 0),
        ((anns_group,), 0),
        ((bobs_group,), 0),
        ((anns_group,), 1),
    ]


def test_what_a_tab_sends_that_the_database_cannot_hold_is_refused(client, people):
    """A NUL character or an id beyond 64 bits is refused like any bad input, not a crash
    (PostgreSQL rejects both); outsiders still get "no such conversation"."""
    ann, _, cat, conversation = people
    ann_headers, cat_headers = headers_for(client, ann), headers_for(client, cat)

    async def answer(headers, conversation_id, body):
        tab = await connect(headers)
        await tab.send_json_to(
            {"type": "message.send", "conversation": conversation_id, "body": body}
        )
        frame = await next_of(tab, "message.refused", "message.sent")
        await tab.disconnect()
        return frame.get("error")

    async def run():
        assert "NUL" in await answer(ann_headers, conversation.pk, "a\x00b")
        assert await answer(cat_headers, conversation.pk, "a\x00b") == "no such conversation"
        for huge in (2**63, 10**20, -1):
            assert await answer(ann_headers, huge, "Hi") == "no such conversation"

    asyncio.run(run())
    assert not conversation.messages.exists()


def test_a_tabs_next_message_reaches_members_who_joined_since_its_last(client, people):
    """A tab's second message in a conversation looks up the previous recipients' sockets while
    it is saved; the saved members decide who gets it."""
    from instant.models import Membership

    ann, bob, cat, _ = people
    group, _ = actions.start_conversation(ann, [bob.pk], name="Team")
    ann_headers, bob_headers, cat_headers = (headers_for(client, u) for u in (ann, bob, cat))

    async def run():
        anns, bobs, cats = await connect_all(ann_headers, bob_headers, cat_headers)
        for body in ("first", "second"):
            await anns.send_json_to(
                {"type": "message.send", "conversation": group.pk, "body": body}
            )
            assert (await next_of(bobs, "message.new"))["message"]["body"] == body
            if body == "first":
                assert await cats.receive_nothing(timeout=0.3)
                await sync_to_async(Membership.objects.create)(conversation=group, user=cat)
        assert (await next_of(cats, "message.new"))["message"]["body"] == "second"
        for tab in (anns, bobs, cats):
            await tab.disconnect()

    asyncio.run(run())


def test_a_burst_of_pushes_costs_a_tab_one_recount(client, people, monkeypatch):
    """Each message arrives at once; the counters that several pushes change are recounted
    once, after the burst (one query per tab, not one per message)."""
    from notifications import consumers, live

    ann, bob, _, conversation = people
    monkeypatch.setattr(consumers, "COUNTS_DELAY", 0.5)
    recounts = []
    counts_for = live.counts_for
    monkeypatch.setattr(
        live, "counts_for", lambda user: recounts.append(user.pk) or counts_for(user)
    )
    bob_headers = headers_for(client, bob)

    async def run():
        tab = await connect(bob_headers)
        recounts.clear()
        for n in range(4):
            await sync_to_async(actions.send_message)(ann, conversation.pk, f"m{n}")
        bodies = [(await next_of(tab, "message.new"))["message"]["body"] for _ in range(4)]
        assert bodies == ["m0", "m1", "m2", "m3"]
        assert (await next_of(tab, "counts"))["messages"] == 4
        assert await tab.receive_nothing(timeout=0.7)
        await tab.disconnect()

    asyncio.run(run())
    assert recounts == [bob.pk]


def test_typing_reaches_the_other_member_only(client, people):
    ann, bob, cat, conversation = people
    ann_headers, bob_headers, cat_headers = (headers_for(client, u) for u in (ann, bob, cat))

    async def run():
        anns, bobs, cats = await connect_all(ann_headers, bob_headers, cat_headers)
        await anns.send_json_to({"type": "typing", "conversation": conversation.pk})
        frame = await next_of(bobs, "typing")
        assert frame == {
            "type": "typing",
            "conversation": conversation.pk,
            "user": ann.pk,
            "name": "Ann",
        }
        assert await cats.receive_nothing(timeout=0.3)
        await cats.send_json_to({"type": "typing", "conversation": conversation.pk})
        assert (await cats.receive_json_from(timeout=5))["type"] == "error"
        for tab in (anns, bobs, cats):
            await tab.disconnect()

    asyncio.run(run())


def test_a_tab_back_from_a_gap_gets_what_it_missed(client, people):
    ann, bob, _, conversation = people
    first = actions.send_message(ann, conversation.pk, "Before the gap")
    actions.send_message(ann, conversation.pk, "During the gap")
    bob_headers = headers_for(client, bob)

    async def run():
        tab = await connect(bob_headers)
        await tab.send_json_to({"type": "sync", "since": first.pk})
        frame = await next_of(tab, "message.new")
        assert frame["message"]["body"] == "During the gap"
        assert (await tab.receive_json_from(timeout=5))["type"] == "synced"
        await tab.disconnect()

    asyncio.run(run())


def test_a_message_sent_from_a_tab_is_saved_acknowledged_and_pushed(client, people):
    ann, bob, cat, conversation = people
    ann_headers, bob_headers, cat_headers = (headers_for(client, u) for u in (ann, bob, cat))

    async def run():
        anns, anns_other_tab, bobs, cats = (
            await connect(ann_headers),
            await connect(ann_headers),
            await connect(bob_headers),
            await connect(cat_headers),
        )
        await anns.send_json_to(
            {"type": "message.send", "conversation": conversation.pk, "body": "Hi", "ref": "t1"}
        )
        sent = await next_of(anns, "message.sent")
        assert (sent["ref"], sent["conversation"], sent["message"]["body"]) == (
            "t1",
            conversation.pk,
            "Hi",
        )
        received = await next_of(bobs, "message.new")
        assert received["message"]["id"] == sent["message"]["id"]
        assert (await next_of(bobs, "counts"))["messages"] == 1
        # Ann's other tab shows it too; the sending tab has its answer and gets no echo.
        assert (await next_of(anns_other_tab, "message.new"))["message"] == sent["message"]
        assert await anns.receive_nothing(timeout=0.3)
        assert await cats.receive_nothing(timeout=0.3)
        for tab in (anns, anns_other_tab, bobs, cats):
            await tab.disconnect()

    asyncio.run(run())
    assert list(conversation.messages.values_list("sender__username", "body")) == [("ann", "Hi")]


def test_a_message_a_tab_may_not_send_is_refused_with_the_reason_and_not_saved(client, people):
    ann, bob, cat, conversation = people
    actions.block(bob, ann.pk)
    ann_headers, cat_headers = headers_for(client, ann), headers_for(client, cat)

    async def refusal(headers, frame):
        tab = await connect(headers)
        await tab.send_json_to({"type": "message.send", "ref": 7, **frame})
        answer = await next_of(tab, "message.refused")
        await tab.disconnect()
        assert answer["ref"] == 7
        return answer["error"]

    async def run():
        blocked = await refusal(ann_headers, {"conversation": conversation.pk, "body": "Hi"})
        assert blocked == "Bob does not accept messages from you."
        outsider = await refusal(cat_headers, {"conversation": conversation.pk, "body": "Hi"})
        assert outsider == "no such conversation"
        assert await refusal(cat_headers, {"conversation": "x", "body": "Hi"}) == (
            "message.send needs a conversation id"
        )
        assert await refusal(ann_headers, {"conversation": conversation.pk, "body": " "}) == (
            "Write a message first."
        )

    asyncio.run(run())
    assert not conversation.messages.exists()


def test_a_tab_sending_too_fast_is_refused_like_the_api(client, people, settings):
    ann, _, _, conversation = people
    settings.INSTANT_RATE_LIMIT = (2, 60)
    ann_headers = headers_for(client, ann)

    async def run():
        tab = await connect(ann_headers)
        answers = []
        for n in range(3):
            await tab.send_json_to(
                {"type": "message.send", "conversation": conversation.pk, "body": f"m{n}"}
            )
            answers.append(await next_of(tab, "message.sent", "message.refused"))
        await tab.disconnect()
        return answers

    answers = asyncio.run(run())
    assert [a["type"] for a in answers] == ["message.sent", "message.sent", "message.refused"]
    assert "too fast" in answers[2]["error"]
    assert conversation.messages.count() == 2


@pytest.mark.services
def test_pushes_cross_application_instances_through_redis(client, people):
    """A push from another process (its own channel layer) reaches this process's socket."""
    from channels_redis.core import RedisChannelLayer

    from notifications import live

    _, bob, _, conversation = people
    bob_headers = headers_for(client, bob)
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]

    async def run():
        tab = await connect(bob_headers)
        other_process = RedisChannelLayer(**config)
        await other_process.group_send(
            live.group_name(bob.pk),
            {"type": "push", "frame": {"type": "message.new", "conversation": conversation.pk}},
        )
        assert (await next_of(tab, "message.new"))["conversation"] == conversation.pk
        await other_process.flush()
        await tab.disconnect()

    asyncio.run(run())


@pytest.mark.services
def test_on_postgresql_a_tab_saves_its_message_on_the_event_loop(client, people, monkeypatch):
    """No hand-off to a thread for the ORM: the statement and the count run on the loop."""
    ann, bob, _, conversation = people
    ann_headers, bob_headers = headers_for(client, ann), headers_for(client, bob)

    def in_a_thread(*args, **kwargs):
        raise AssertionError("the ORM's write_message ran")

    monkeypatch.setattr(actions, "write_message", in_a_thread)

    async def run():
        anns, bobs = await connect_all(ann_headers, bob_headers)
        await anns.send_json_to(
            {"type": "message.send", "conversation": conversation.pk, "body": "On the loop"}
        )
        sent = await next_of(anns, "message.sent", "message.refused")
        received = await next_of(bobs, "message.new")
        for tab in (anns, bobs):
            await tab.disconnect()
        return sent, received

    sent, received = asyncio.run(run())
    assert sent["type"] == "message.sent" and received["message"] == sent["message"]
    assert conversation.messages.get().body == "On the loop"
