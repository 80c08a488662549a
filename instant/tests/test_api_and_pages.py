"""The conversations API and the messaging pages: the same rules, 404 for others' conversations."""

import pytest
from django.db import connection

from accounts.factories import UserFactory
from features.courses.factories import CourseFactory, EnrolmentFactory
from instant import actions
from instant.models import Conversation, Message, Privacy


@pytest.fixture
def ann(db):
    return UserFactory(username="ann", full_name="Ann A")


@pytest.fixture
def bob(db):
    user = UserFactory(username="bob", full_name="Bob B")
    actions.set_privacy(user, Privacy.SITE)
    return user


def test_posting_a_one_to_one_twice_returns_the_same_conversation(client, ann, bob):
    client.force_login(ann)
    first = client.post(
        "/api/conversations/", {"members": [bob.pk]}, content_type="application/json"
    )
    again = client.post(
        "/api/conversations/", {"members": [bob.pk]}, content_type="application/json"
    )
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    assert Conversation.objects.count() == 1


def test_messages_through_the_api(client, ann, bob):
    client.force_login(ann)
    conversation = client.post(
        "/api/conversations/", {"members": [bob.pk]}, content_type="application/json"
    ).json()
    url = f"/api/conversations/{conversation['id']}/messages/"
    sent = client.post(url, {"body": "Hello https://example.org"}, content_type="application/json")
    assert sent.status_code == 201
    assert set(sent.json()) >= {"id", "sender", "body", "created_at"}
    client.force_login(bob)
    items = client.get(url).json()["results"]
    assert [i["body"] for i in items] == ["Hello https://example.org"]
    assert 'href="https://example.org"' in items[0]["body_html"]
    assert client.get("/api/counts/").json()["messages"] == 1
    assert client.post(f"/api/conversations/{conversation['id']}/read").status_code == 204
    assert client.get("/api/counts/").json()["messages"] == 0
    assert client.get("/api/conversations/").json()[0]["unread"] == 0


def test_bad_input_gets_400_and_refusals_say_why(client, ann, bob):
    client.force_login(ann)
    bad = client.post("/api/conversations/", {"members": "x"}, content_type="application/json")
    assert bad.status_code == 400 and "members" in bad.json()
    private = UserFactory()
    refused = client.post(
        "/api/conversations/", {"members": [private.pk]}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert "contacts and people in their courses" in refused.json()["detail"]
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    url = f"/api/conversations/{conversation.pk}/messages/"
    too_long = client.post(url, {"body": "x" * 5000}, content_type="application/json")
    assert too_long.status_code == 400 and "body" in too_long.json()
    assert not Message.objects.exists()


def test_the_api_rate_limits_with_429(client, ann, bob, settings):
    settings.INSTANT_RATE_LIMIT = (2, 60)
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    client.force_login(ann)
    url = f"/api/conversations/{conversation.pk}/messages/"
    codes = [
        client.post(url, {"body": f"m{n}"}, content_type="application/json").status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]


def test_another_users_conversation_is_404(client, ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    client.force_login(UserFactory())
    assert client.get(f"/api/conversations/{conversation.pk}/messages/").status_code == 404
    assert client.post(f"/api/conversations/{conversation.pk}/read").status_code == 404
    assert client.get(f"/messages/{conversation.pk}/").status_code == 404
    assert client.post(f"/messages/{conversation.pk}/send", {"body": "x"}).status_code == 404


def test_the_pages_without_javascript(client, ann, bob):
    client.force_login(ann)
    profile = client.get(f"/users/{bob.pk}/").content.decode()
    assert ">Message</button>" in profile
    response = client.post("/messages/start", {"members": [bob.pk]})
    conversation = Conversation.objects.get()
    assert response.url == f"/messages/{conversation.pk}/"
    client.post(f"/messages/{conversation.pk}/send", {"body": "Hi Bob"})
    page = client.get(f"/messages/{conversation.pk}/").content.decode()
    assert "Hi Bob" in page and "Bob B" in page
    # A refused message keeps what was typed.
    client.post(f"/messages/{conversation.pk}/send", {"body": "x" * 5000})
    assert "x" * 5000 in client.get(f"/messages/{conversation.pk}/").content.decode()
    client.force_login(bob)
    assert 'class="badge" aria-label="1 unread"' in client.get("/messages/").content.decode()
    assert "Hi Bob" in client.get("/").content.decode()  # the Messages block


def test_the_conversation_list_runs_a_constant_number_of_queries(
    client, ann, bob, django_assert_num_queries
):
    actions.set_privacy(ann, Privacy.SITE)
    for _ in range(12):
        other = UserFactory()
        actions.set_privacy(other, Privacy.SITE)
        conversation, _ = actions.start_conversation(ann, [other.pk])
        actions.send_message(other, conversation.pk, "Hello", check_rate=False)
    client.force_login(ann)
    # session, user, memberships (with unread and last message), their members, the counters
    # (one query)
    with django_assert_num_queries(5):
        client.get("/messages/")
    with django_assert_num_queries(4):
        client.get("/api/conversations/")


def test_the_people_block_messages_chosen_participants(client, ann, bob):
    course = CourseFactory()
    EnrolmentFactory(course=course, user=ann, role="trainer")
    EnrolmentFactory(course=course, user=bob)
    learner = UserFactory()
    EnrolmentFactory(course=course, user=learner)
    client.force_login(ann)
    page = client.get(f"/people/{course.pk}/").content.decode()
    assert "Send a message to selected" in page and learner.display_name in page
    client.post(f"/people/{course.pk}/", {"to": [bob.pk, learner.pk], "body": "Welcome"})
    assert Message.objects.filter(body="Welcome").count() == 2
    assert Conversation.objects.count() == 2
    client.force_login(UserFactory())
    assert client.get(f"/people/{course.pk}/").status_code == 404


def test_only_trainers_and_admins_message_participants_in_bulk(client, ann, bob):
    course = CourseFactory()
    EnrolmentFactory(course=course, user=ann, role="trainer")
    EnrolmentFactory(course=course, user=bob)
    outsider = UserFactory()
    client.force_login(bob)
    page = client.get(f"/people/{course.pk}/").content.decode()
    assert ann.display_name in page and "Send a message to selected" not in page
    refused = client.post(f"/people/{course.pk}/", {"to": [ann.pk], "body": "Hi all"})
    assert refused.status_code == 403
    assert "trainers and site admins" in refused.content.decode()
    client.force_login(ann)
    stranger = client.post(f"/people/{course.pk}/", {"to": [bob.pk, outsider.pk], "body": "Hi"})
    assert stranger.status_code == 400
    assert not Message.objects.exists()


# Queries of a message POST: elsewhere, on PostgreSQL.
SEND_QUERIES = {False: 8, True: 3}


def test_sending_a_message_runs_a_constant_number_of_queries(
    client, ann, bob, django_assert_num_queries
):
    course = CourseFactory()
    EnrolmentFactory(course=course, user=ann)
    EnrolmentFactory(course=course, user=bob)
    actions.set_privacy(bob, Privacy.COURSES)  # may Ann write? only as a course peer
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    client.force_login(ann)
    # session, user, then on PostgreSQL one statement: the conversation's members with the
    # rules and, if they allow it, the message, the conversation's last message time, the
    # members' hidden flags and the sender's read time; elsewhere the members with the rules,
    # then the three writes in a savepoint
    queries = SEND_QUERIES[connection.vendor == "postgresql"]
    with django_assert_num_queries(queries):
        sent = client.post(
            f"/api/conversations/{conversation.pk}/messages/",
            {"body": "Hello"},
            content_type="application/json",
        )
    assert sent.status_code == 201
    with django_assert_num_queries(queries):
        sent = client.post(f"/messages/{conversation.pk}/send", {"body": "Hello again"})
    assert sent.status_code == 302
    assert Message.objects.filter(conversation=conversation).count() == 2


def test_a_group_message_skips_the_pair_rules_and_costs_the_same_for_any_size(
    client, ann, bob, django_assert_num_queries
):
    others = UserFactory.create_batch(5)
    for user in others:
        actions.set_privacy(user, Privacy.SITE)
    group, _ = actions.start_conversation(ann, [bob.pk, *(u.pk for u in others)], name="Team")
    client.force_login(ann)
    # the same as a one-to-one: the members' row count does not matter
    with django_assert_num_queries(SEND_QUERIES[connection.vendor == "postgresql"]):
        sent = client.post(
            f"/api/conversations/{group.pk}/messages/",
            {"body": "Hello team"},
            content_type="application/json",
        )
    assert sent.status_code == 201


def test_outsiders_get_404_whatever_they_send(client, ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    client.force_login(UserFactory())
    url = f"/api/conversations/{conversation.pk}/messages/"
    for body in ("Hi", "", "x" * 5000):
        assert client.post(url, {"body": body}, content_type="application/json").status_code == 404
        assert client.post(f"/messages/{conversation.pk}/send", {"body": body}).status_code == 404
    assert not Message.objects.exists()


def test_the_composer_with_htmx_gets_the_thread_back(client, ann, bob):
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    client.force_login(ann)
    url = f"/messages/{conversation.pk}/send"
    sent = client.post(url, {"body": "Hi Bob"}, headers={"HX-Request": "true"})
    assert sent.status_code == 200 and "Hi Bob" in sent.content.decode()
    refused = client.post(url, {"body": " "}, headers={"HX-Request": "true"})
    assert refused.status_code == 400 and refused.content.decode() == "Write a message first."


def test_ids_and_text_the_database_cannot_hold_get_clear_answers(client, ann, bob):
    """An id beyond 64 bits is a 404, a NUL character a refusal with the reason (PostgreSQL
    rejects both, which was a 500)."""
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    client.force_login(ann)
    huge = 10**20
    api = client.post(
        f"/api/conversations/{huge}/messages/", {"body": "Hi"}, content_type="application/json"
    )
    assert api.status_code == 404
    assert client.post(f"/messages/{huge}/send", {"body": "Hi"}).status_code == 404
    nul = client.post(
        f"/messages/{conversation.pk}/send", {"body": "a\x00b"}, HTTP_HX_REQUEST="true"
    )
    assert nul.status_code == 400
    assert "NUL" in nul.content.decode()
    assert not Message.objects.exists()
