"""The email output: rendering per recipient, retries, the sweeper, unsubscribe, bounces."""

import html
import smtplib
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.factories import UserFactory
from notifications import email, send
from notifications.factories import context_for
from notifications.models import (
    EmailDelivery,
    EmailSuppression,
    MessageTemplate,
    MessageType,
    Preference,
)

KEY = "forums.post"
Status = EmailDelivery.Status


def send_now(recipients, key=KEY, capture=None, **context):
    with capture(execute=True):
        return send(key, recipients, context=context_for(key, **context), url="/forums/1/")


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_it_renders_in_the_recipients_language_from_the_admins_template(capture, db):
    french = UserFactory(language="fr")
    english = UserFactory(language="en")
    MessageTemplate.objects.create(
        message_type=MessageType.objects.get(key=KEY),
        language="fr",
        subject="Nouveau message pour {{ recipient }}",
        body="Bonjour {{ recipient }}, un nouveau message.",
    )
    send_now([french, english], capture=capture)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert by_address[french.email].subject == f"Nouveau message pour {french.full_name}"
    assert "Bonjour" in by_address[french.email].body
    assert "Nouveau" not in by_address[english.email].subject
    html = by_address[english.email].alternatives[0][0]
    assert "/forums/1/" in html and "<html" in html


class FlakyConnection:
    """A mail connection that fails with `error` for the first `failures` messages."""

    def __init__(self, error, failures):
        self.error, self.failures, self.sent = error, failures, []

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if self.failures:
            self.failures -= 1
            raise self.error
        self.sent.extend(messages)
        return len(messages)


def test_a_temporary_failure_is_retried_with_backoff_then_sent(capture, user):
    flaky = FlakyConnection(smtplib.SMTPServerDisconnected("gone"), failures=1)
    with mock.patch("notifications.email.get_connection", return_value=flaky):
        send_now([user], capture=capture)
        row = EmailDelivery.objects.get()
        assert row.status == Status.PENDING and row.attempts == 1
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=50)
        assert "gone" in row.last_error
        assert email.send_due() == {"sent": 0, "retry": 0, "failed": 0, "suppressed": 0, "more": 0}
        with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
            assert email.send_due()["sent"] == 1
    row.refresh_from_db()
    assert row.status == Status.SENT and row.attempts == 2
    assert len(flaky.sent) == 1


def test_a_permanent_failure_stops(capture, user):
    refused = smtplib.SMTPRecipientsRefused({user.email: (550, b"no such user")})
    flaky = FlakyConnection(refused, failures=5)
    with mock.patch("notifications.email.get_connection", return_value=flaky):
        send_now([user], capture=capture)
    row = EmailDelivery.objects.get()
    assert row.status == Status.FAILED and row.attempts == 1


def test_attempts_are_bounded(capture, user, settings):
    settings.EMAIL_MAX_ATTEMPTS = 2
    flaky = FlakyConnection(ConnectionRefusedError("down"), failures=5)
    with mock.patch("notifications.email.get_connection", return_value=flaky):
        send_now([user], capture=capture)
        with time_machine.travel(timezone.now() + timedelta(hours=1)):
            email.send_due()
    row = EmailDelivery.objects.get()
    assert row.status == Status.FAILED and row.attempts == 2


def test_a_broker_outage_delays_email_and_the_sweeper_sends_it(capture, user):
    with mock.patch(
        "notifications.tasks.send_emails.delay", side_effect=ConnectionError("broker down")
    ):
        result = send_now([user], capture=capture)
    assert result.outputs["email"] == 1
    assert EmailDelivery.objects.get().status == Status.PENDING
    assert mail.outbox == []
    assert email.sweep()["queued"] == 1
    assert EmailDelivery.objects.get().status == Status.SENT
    assert len(mail.outbox) == 1


def test_the_sweeper_frees_claims_of_dead_workers_but_never_resends_an_attempt(capture, user):
    with mock.patch("notifications.tasks.send_emails.delay"):
        send_now([user, UserFactory()], capture=capture)
    first, second = EmailDelivery.objects.order_by("id")
    long_ago = timezone.now() - timedelta(hours=1)
    EmailDelivery.objects.filter(pk=first.pk).update(status=Status.CLAIMED, claimed_at=long_ago)
    EmailDelivery.objects.filter(pk=second.pk).update(
        status=Status.SENDING, claimed_at=long_ago, attempts=1
    )
    result = email.sweep()
    assert result["released"] == 1 and result["interrupted"] == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.SENT
    assert second.status == Status.UNKNOWN
    assert [m.to[0] for m in mail.outbox] == [first.to_address]


def test_resend_sends_again(capture, user):
    send_now([user], capture=capture)
    with capture(execute=True):
        assert email.resend(EmailDelivery.objects.values_list("pk", flat=True)) == 1
    assert len(mail.outbox) == 2


def test_two_claims_never_share_a_row(capture, db):
    with mock.patch("notifications.tasks.send_emails.delay"):
        send_now(UserFactory.create_batch(3), capture=capture)
    first = email.claim(limit=2).ids
    second = email.claim(limit=2).ids
    assert len(first) == 2 and len(second) == 1 and not set(first) & set(second)
    assert email.claim().ids == []


# Unsubscribe links


def unsubscribe_link(capture, user):
    send_now([user], capture=capture)
    header = mail.outbox[-1].extra_headers["List-Unsubscribe"]
    return header.strip("<>").split("://", 1)[1].split("/", 1)[1]


def test_the_one_click_unsubscribe_turns_that_types_email_off(client, capture, user):
    path = "/" + unsubscribe_link(capture, user)
    page = client.get(path)
    assert page.status_code == 200 and b"Stop these emails?" in page.content
    assert not Preference.objects.exists()  # a GET (a mail scanner) changes nothing
    response = client.post(path, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and b"no longer get these emails" in response.content
    pref = Preference.objects.get(user=user)
    assert (pref.output, pref.logged_in, pref.logged_off) == ("email", False, False)
    mail.outbox.clear()
    send_now([user], capture=capture)
    assert mail.outbox == []
    # Replayed: still off, nothing new.
    assert client.post(path).status_code == 200
    assert Preference.objects.count() == 1
    # Undo.
    client.post(path, {"undo": "1"})
    assert not Preference.objects.exists()


def test_a_tampered_unsubscribe_link_changes_nothing(client, capture, user):
    path = "/" + unsubscribe_link(capture, user)
    tampered = path.replace("/unsubscribe/", "/unsubscribe/x")
    response = client.post(tampered)
    assert response.status_code == 400
    assert not Preference.objects.exists()
    forged = reverse("unsubscribe", args=["eyJ1IjoxLCJrIjoiZm9ydW1zLnBvc3QifQ:abc:def"])
    assert client.post(forged).status_code == 400


# Bounce webhooks (Postmark's format, through anymail)


@pytest.fixture
def webhook(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    return {"HTTP_AUTHORIZATION": "Basic aG9vazpzZWNyZXQ="}


def test_a_bounce_marks_the_delivery_and_suppresses_the_address(client, capture, user, webhook):
    send_now([user], capture=capture)
    row = EmailDelivery.objects.get()
    payload = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "TypeCode": 1,
        "MessageID": row.esp_message_id,
        "Email": user.email,
        "Description": "The server was unable to deliver your message",
        "BouncedAt": "2026-11-26T10:00:00Z",
    }
    url = "/anymail/postmark/tracking/"
    for _ in range(2):  # a replay changes nothing more
        response = client.post(url, payload, content_type="application/json", **webhook)
        assert response.status_code == 200
    row.refresh_from_db()
    assert row.status == Status.BOUNCED
    assert EmailSuppression.objects.get(address=user.email).reason == "bounced"
    client.force_login(user)
    assert b"stopped sending email" in client.get("/preferences/messaging/").content
    mail.outbox.clear()
    send_now([user], capture=capture)
    assert mail.outbox == []


def test_a_webhook_without_the_secret_is_refused(client, db, webhook):
    response = client.post("/anymail/postmark/tracking/", {}, content_type="application/json")
    assert response.status_code in (400, 401, 403)
    assert not EmailSuppression.objects.exists()


def _whole_and_shared(event, users, override=None):
    """Each user's email parts rendered on their own, and through one shared MessageBuilder."""
    shared = email.MessageBuilder()
    pairs = []
    for user in users:
        link = email.unsubscribe_url(user.pk, event.key)
        whole = email.MessageBuilder()._render(event, user, override, user.display_name, link)
        pairs.append((whole, shared.parts(event, user, override, link)))
    return pairs, shared


@pytest.mark.parametrize(
    "name", ["Zoë O'Brien", "Ann <b>& Co</b>", 'Quote "Q" Smith', "Ünïcode Ñame"]
)
def test_a_shared_rendering_gives_each_recipient_the_same_email_as_a_whole_one(name, db):
    from notifications.models import Event

    readers = [
        UserFactory(full_name=name),
        UserFactory(full_name="Plain Person"),
        UserFactory(full_name=name, language="fr", timezone="Europe/Paris"),
    ]
    with mock.patch.object(email, "enqueue"):
        send(
            KEY,
            readers,
            context=context_for(KEY),
            url="/forums/discussion/1",
            templates={
                "subject": "For {{ recipient }}",
                "body": "Dear {{ recipient }},{% if recipient %} hello{% endif %} "
                "www.example.com\n\n{{ post }}",
            },
        )
    event = Event.objects.get()
    pairs, shared = _whole_and_shared(event, readers)
    for whole, from_shared in pairs:
        # The same subject and text; the same HTML, though a quote in the name may be
        # spelled as an entity where the whole rendering wrote it plainly.
        assert from_shared[:2] == whole[:2]
        assert html.unescape(from_shared[2]) == html.unescape(whole[2])
        assert "<b>" not in from_shared[2]
    assert pairs[0][1][0] == f"For {name}"
    assert f"Dear {name}, hello" in pairs[0][1][1]
    # One rendering per language and timezone, not per recipient.
    assert len(shared._shared) == 2


def test_templates_that_do_more_than_name_the_recipient_are_rendered_whole(db):
    from notifications.models import Event, MessageTemplate, MessageType

    override = MessageTemplate.objects.create(
        message_type=MessageType.objects.get(key=KEY),
        language="en",
        subject="For {{ recipient|upper }}",
        body="Dear {{ recipient|default:'reader' }}, a recipient like you.",
    )
    readers = [UserFactory(full_name="Ann Example"), UserFactory(full_name="Bo Example")]
    with mock.patch.object(email, "enqueue"):
        send(KEY, readers, context=context_for(KEY))
    pairs, shared = _whole_and_shared(Event.objects.get(), readers, override)
    assert [p[1][0] for p in pairs] == ["For ANN EXAMPLE", "For BO EXAMPLE"]
    assert all(whole == from_shared for whole, from_shared in pairs)
    assert shared._shared == {}
