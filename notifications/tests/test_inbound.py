"""Reply by email: signed addresses, own and other senders, confirmation, the command."""

import datetime as dt
import io
import sys
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from features.courses.tests.helpers import french_template
from instant import actions
from instant.models import Message, Privacy
from notifications import inbound, rendering
from notifications.models import HeldReply, SiteMessaging

# Replies arrive as people send them: walk the links of what they send (tests/links.py).
pytestmark = pytest.mark.links


@pytest.fixture
def chat(db):
    ann = UserFactory(username="ann", full_name="Ann A")
    bob = UserFactory(username="bob", full_name="Bob B")
    actions.set_privacy(ann, Privacy.SITE)
    actions.set_privacy(bob, Privacy.SITE)
    conversation, _ = actions.start_conversation(ann, [bob.pk])
    AdminFactory(username="root")
    return ann, bob, conversation


def reply(to, sender, text="Sounds good\n\nOn Monday Ann wrote:\n> Lunch?\n-- \nBob"):
    return inbound.Reply(
        from_address=sender, to_addresses=[to], subject="Re: New message", text=text
    )


def keys_sent():
    return [m.extra_headers.get("X-Notification-Type") for m in mail.outbox]


def test_the_unread_message_email_carries_a_signed_reply_address(
    chat, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    actions.send_message(ann, conversation.pk, "Lunch?")
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=10)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.email_unread_messages()
    assert mail.outbox[0].reply_to == [
        inbound.reply_address(bob.pk, "conversation", conversation.pk)
    ]


def test_a_reply_from_the_users_address_becomes_a_message(chat, django_capture_on_commit_callbacks):
    ann, bob, conversation = chat
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply(address, bob.email)) == "processed"
    message = Message.objects.get()
    assert (message.sender, message.body) == (bob, "Sounds good")
    # The sender is told; the site admins are not, unless the site asks (below).
    assert [m.to for m in mail.outbox] == [[bob.email]]
    assert keys_sent() == ["messaging.inbound_processed"]


def test_site_admins_hear_of_processed_replies_only_when_the_site_asks(
    chat, client, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    root = get_user_model().objects.get(username="root")
    admin_client = client
    admin_client.force_login(root)
    form = admin_client.get("/admin/notifications/sitemessaging/", follow=True)
    assert 'name="inbound_processed_to_admins"' in form.content.decode()
    response = admin_client.post(
        "/admin/notifications/sitemessaging/add/",
        {"inbound_processed_to_admins": "on", "email_cadence": "immediately"},
    )
    assert response.status_code == 302
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply(address, bob.email)) == "processed"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([bob.email, root.email])
    assert SiteMessaging.load().inbound_processed_to_admins


@pytest.mark.parametrize(
    "mangle",
    [
        lambda a: a.replace("+", "+9"),  # another user id, same signature
        lambda a: a.split("+")[0] + "@example.com",  # our mailbox, no payload
        lambda a: "someone@elsewhere.org",
    ],
)
def test_a_tampered_or_foreign_address_is_rejected_and_admins_told(
    chat, mangle, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    address = mangle(inbound.reply_address(bob.pk, "conversation", conversation.pk))
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply(address, bob.email)) == "rejected"
    assert not Message.objects.exists()
    failed = [
        m
        for m in mail.outbox
        if m.extra_headers["X-Notification-Type"] == "messaging.inbound_failed"
    ]
    assert [m.to for m in failed] == [["root@example.com"]]


def test_a_reply_from_another_address_waits_for_the_users_confirmation(
    chat, client, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply(address, "bob.private@home.example")) == "held"
    assert not Message.objects.exists()
    confirm = mail.outbox[-1]
    assert confirm.to == [bob.email]
    assert confirm.extra_headers["X-Notification-Type"] == "messaging.inbound_confirm_sender"
    path = "/" + confirm.body.split("http://127.0.0.1:8000/")[1].split()[0]
    client.force_login(bob)
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path)
    assert Message.objects.get().body == "Sounds good"
    client.post(path)  # a second click changes nothing
    assert Message.objects.count() == 1


def test_an_unconfirmed_reply_expires_after_24_hours(chat, django_capture_on_commit_callbacks):
    ann, bob, conversation = chat
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    inbound.receive(reply(address, "other@home.example"))
    held = HeldReply.objects.get()
    token = inbound.signing.dumps(held.pk, salt=inbound.CONFIRM_SALT)
    with (
        time_machine.travel(timezone.now() + timedelta(hours=25)),
        pytest.raises(inbound.InboundRejected, match="expired"),
    ):
        inbound.confirm(token, bob)
    assert not Message.objects.exists()


# Each in the recipient's language


def to(key, user):
    """The one email of this type sent to this user."""
    [message] = [
        m
        for m in mail.outbox
        if m.extra_headers.get("X-Notification-Type") == key and m.to == [user.email]
    ]
    return message


def speaks_french(user):
    user.language = "fr"
    user.save()


def test_the_processed_notice_reaches_each_recipient_in_their_language(
    chat, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    root = get_user_model().objects.get(username="root")
    speaks_french(bob)
    SiteMessaging(inbound_processed_to_admins=True).save()
    french_template(
        "messaging.inbound_processed",
        "Votre e-mail à {{ site_name }} est traité",
        "Bonjour {{ recipient }}, l'e-mail « {{ message_subject }} » est traité.",
    )
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    with django_capture_on_commit_callbacks(execute=True):
        inbound.receive(reply(address, bob.email))
    to_root = to("messaging.inbound_processed", root)
    assert to_root.subject == "An email to Learning platform was processed"
    assert 'with the subject "Re: New message" was received and processed' in to_root.body
    to_bob = to("messaging.inbound_processed", bob)
    assert to_bob.subject == "Votre e-mail à Learning platform est traité"
    assert "Bonjour Bob B, l'e-mail « Re: New message » est traité." in to_bob.body
    assert "processed successfully" not in to_bob.body


def test_the_confirmation_request_reaches_each_sender_in_their_language(
    chat, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    speaks_french(bob)
    french_template(
        "messaging.inbound_confirm_sender",
        "Confirmez votre e-mail à {{ site_name }}",
        "Bonjour {{ recipient }}, confirmez avant le {{ expires_at }} : {{ url }}",
    )
    with (
        time_machine.travel(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        for user in (ann, bob):
            address = inbound.reply_address(user.pk, "conversation", conversation.pk)
            assert inbound.receive(reply(address, "someone@home.example")) == "held"
    to_ann = to("messaging.inbound_confirm_sender", ann)
    assert to_ann.subject == "Please confirm the email you sent to Learning platform"
    assert "The link works until March 11, 2026, 10 a.m." in to_ann.body
    to_bob = to("messaging.inbound_confirm_sender", bob)
    assert to_bob.subject == "Confirmez votre e-mail à Learning platform"
    assert "Bonjour Bob B, confirmez avant le 11 mars 2026 10:00 : http://" in to_bob.body
    assert "/inbound/confirm/" in to_bob.body
    assert "please confirm" not in to_bob.body


def test_the_failure_notice_reaches_each_admin_in_their_language(
    chat, django_capture_on_commit_callbacks
):
    ann, bob, conversation = chat
    root = get_user_model().objects.get(username="root")
    admin = AdminFactory(username="camille")
    speaks_french(admin)
    french_template(
        "messaging.inbound_failed",
        "Un e-mail à {{ site_name }} n'a pas pu être traité",
        "Bonjour {{ recipient }}, l'e-mail de {{ from_address }} n'a pas pu être traité"
        '{% if reason_code == "unknown_address" %} : il n\'a pas été envoyé à une adresse de '
        'réponse de ce site{% elif reason_code == "tampered" %} : son adresse a été modifiée'
        "{% else %} : {{ reason }}{% endif %}.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        inbound.receive(reply("someone@elsewhere.org", bob.email))
    to_root = to("messaging.inbound_failed", root)
    assert to_root.subject == "An email to Learning platform could not be processed"
    assert f"An email from {bob.email} with the subject" in to_root.body
    assert (
        "could not be processed.\n\nReason: The email was not sent to a reply address of this site."
    ) in to_root.body
    to_admin = to("messaging.inbound_failed", admin)
    assert to_admin.subject == "Un e-mail à Learning platform n'a pas pu être traité"
    assert (
        f"Bonjour Camille, l'e-mail de {bob.email} n'a pas pu être traité : il n'a pas été "
        "envoyé à une adresse de réponse de ce site."
    ) in to_admin.body
    for english in ("Reason:", "reply address", "was not sent", "unknown_address"):
        assert english not in to_admin.body


@pytest.mark.parametrize("code", inbound.REASON_CODES)
def test_each_reason_code_has_its_sentence(code):
    text = rendering.render("messaging.inbound_failed", {"reason_code": code}).text
    reason = text.split("\n\nReason: ")[1]
    assert reason.endswith(".") and len(reason) > 20  # a sentence, not the empty else branch
    assert code not in reason


def test_a_handlers_own_refusal_is_its_reason(chat, django_capture_on_commit_callbacks):
    ann, bob, conversation = chat
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    conversation.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.receive(reply(address, bob.email)) == "rejected"
    to_bob = to("messaging.inbound_failed", bob)
    assert "Reason: The conversation does not exist or the user left it." in to_bob.body


def test_quoted_text_and_signatures_are_stripped():
    text = "Yes please.\nSee you.\n\nOn Tue, 3 Mar 2026 at 10:00, Ann <a@x> wrote:\n> old\n"
    assert inbound.strip_quotes(text) == "Yes please.\nSee you."
    assert inbound.strip_quotes("Thanks\n-- \nBob\nCEO") == "Thanks"
    assert inbound.strip_quotes("> only quoted") == ""


def test_the_command_reads_an_eml_file(chat, monkeypatch, django_capture_on_commit_callbacks):
    ann, bob, conversation = chat
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    eml = (
        f"From: Bob B <{bob.email}>\r\nTo: {address}\r\nSubject: Re: hi\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nSee you there\r\n\r\n> Lunch?\r\n"
    ).encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(eml)))
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("inbound_email", stdout=out)
    assert out.getvalue().strip() == "processed"
    assert Message.objects.get().body == "See you there"


def test_the_anymail_inbound_webhook(chat, client, settings, django_capture_on_commit_callbacks):
    ann, bob, conversation = chat
    settings.ANYMAIL = {"WEBHOOK_SECRET": "hook:secret"}
    address = inbound.reply_address(bob.pk, "conversation", conversation.pk)
    payload = {
        "FromFull": {"Email": bob.email, "Name": "Bob B"},
        "ToFull": [{"Email": address, "Name": ""}],
        "CcFull": [],
        "Subject": "Re: New message",
        "TextBody": "By webhook\n\n> Lunch?",
        "Headers": [],
        "Attachments": [],
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/anymail/postmark/inbound/",
            payload,
            content_type="application/json",
            HTTP_AUTHORIZATION="Basic aG9vazpzZWNyZXQ=",
        )
    assert response.status_code == 200
    assert Message.objects.get().body == "By webhook"
