"""send(): validation, the preference matrix, dedupe, the sender, bulk cost."""

import re

import pytest
from django.core import mail

from accounts.factories import UserFactory
from alerts.models import Alert
from notifications import presence, send
from notifications.catalogue import UnknownMessageType
from notifications.factories import context_for
from notifications.flows import set_email_off, update_preferences
from notifications.models import (
    EmailDelivery,
    EmailSuppression,
    Event,
    OutputSetting,
    SiteOutput,
    Undelivered,
)
from notifications.sending import InvalidContext, MissingPlaceholder

ALERT = "programs.due"
TASK = "programs.extension_request"
EMAIL = "forums.post"


def test_an_unknown_key_raises_and_writes_nothing(user):
    with pytest.raises(UnknownMessageType):
        send("programs.nonsense", [user])
    assert not Event.objects.exists()


def test_a_missing_placeholder_raises_and_writes_nothing(user):
    context = context_for(ALERT)
    required = next(iter(sorted(p for p in context)))
    del context[required]
    with pytest.raises(MissingPlaceholder, match=required):
        send(ALERT, [user], context=context)
    assert not Event.objects.exists()


def test_a_context_json_cannot_hold_is_refused(user):
    with pytest.raises(InvalidContext):
        send(ALERT, [user], context=context_for(ALERT, extra=object()))
    assert not Event.objects.exists()


def test_an_alert_reaches_the_inbox_and_the_email_of_users_logged_off(sent, db):
    users = UserFactory.create_batch(3)
    result = sent(ALERT, users)
    assert result.outputs == {"web": 3, "email": 3, "push": 0}
    assert Alert.objects.filter(kind="alert", key=ALERT).count() == 3
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)
    message = mail.outbox[0]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert set(EmailDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_logged_in_user_gets_alerts_on_the_web_only_by_default(sent, user):
    presence.touch(user.pk)
    result = sent(ALERT, [user])
    assert result.outputs == {"web": 1, "email": 0, "push": 0}
    assert mail.outbox == []


def test_a_task_is_a_task_in_the_inbox(sent, user):
    sent(TASK, [user])
    assert Alert.objects.get(recipient=user).kind == "task"


def test_the_sender_is_not_told_of_their_own_action(sent, user, other_user):
    result = sent(ALERT, [user, other_user], sender=user)
    assert result.skipped_sender
    assert list(Alert.objects.values_list("recipient_id", flat=True)) == [other_user.pk]


def test_a_repeated_dedupe_key_is_a_no_op_per_recipient(sent, user, other_user):
    first = sent(ALERT, [user], dedupe_key="program:1:due:2026-12-01")
    again = sent(ALERT, [user, other_user], dedupe_key="program:1:due:2026-12-01")
    assert first.recipients == 1
    assert again.recipients == 1 and again.duplicates == 1
    assert Alert.objects.filter(recipient=user).count() == 1
    assert Alert.objects.filter(recipient=other_user).count() == 1
    last = sent(ALERT, [user, other_user], dedupe_key="program:1:due:2026-12-01")
    assert last.event_id is None and last.recipients == 0
    assert Event.objects.count() == 2


def set_output(key, output, permission, logged_in=True, logged_off=True):
    OutputSetting.objects.filter(message_type__key=key, output=output).update(
        permission=permission, logged_in=logged_in, logged_off=logged_off
    )


@pytest.mark.parametrize(
    ("site_on", "permission", "default", "choice", "online", "expected"),
    [
        # site switch beats everything, forced included
        (False, "forced", True, None, False, False),
        # forced ignores the user's choice
        (True, "forced", False, False, False, True),
        # disallowed ignores the user's choice
        (True, "disallowed", True, True, False, False),
        # permitted: the default when the user never chose
        (True, "permitted", True, None, False, True),
        (True, "permitted", False, None, False, False),
        # permitted: the user's choice for their state
        (True, "permitted", False, True, False, True),
        (True, "permitted", True, False, False, False),
        (True, "permitted", True, False, True, True),  # chose off only when logged off
    ],
)
def test_the_preference_matrix_for_email(
    sent, user, site_on, permission, default, choice, online, expected
):
    SiteOutput.objects.filter(output="email").update(enabled=site_on)
    set_output(ALERT, "email", permission, logged_in=default, logged_off=default)
    if choice is not None:
        # A user who chose `choice` for logged off, and on for logged in.
        set_output(ALERT, "email", "permitted", logged_in=default, logged_off=default)
        update_preferences(
            user, [{"key": ALERT, "output": "email", "logged_in": True, "logged_off": choice}]
        )
        set_output(ALERT, "email", permission, logged_in=default, logged_off=default)
    if online:
        presence.touch(user.pk)
    sent(ALERT, [user])
    assert EmailDelivery.objects.filter(user=user).exists() is expected


def test_no_email_at_all_yields_to_forced_types(sent, user):
    set_email_off(user, True)
    sent(ALERT, [user])
    assert not EmailDelivery.objects.exists()
    set_output(ALERT, "email", "forced")
    sent(ALERT, [user])
    assert EmailDelivery.objects.count() == 1


def test_a_suppressed_address_gets_no_email(sent, user):
    EmailSuppression.objects.create(address=user.email, reason="bounced")
    set_output(ALERT, "email", "forced")
    sent(ALERT, [user])
    assert not EmailDelivery.objects.exists()


def test_a_recipient_no_output_reached_is_recorded_with_the_reason(sent, user):
    SiteOutput.objects.update(enabled=False)
    result = sent(ALERT, [user])
    assert result.undelivered == 1
    assert "site has turned it off" in Undelivered.objects.get(user=user).reason


def test_recipients_may_be_a_queryset_or_ids(sent, db):
    users = UserFactory.create_batch(4)
    from django.contrib.auth import get_user_model

    assert sent(ALERT, get_user_model().objects.all()).recipients == 4
    assert sent(ALERT, [u.pk for u in users[:2]]).recipients == 2


@pytest.mark.parametrize("count", [5, 60])
def test_fan_out_costs_a_constant_number_of_queries(
    db, count, django_assert_num_queries, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFICATIONS_BATCH_SIZE = 100
    users = UserFactory.create_batch(count)
    for u in users:
        presence.touch(u.pk)  # web only: the email task is measured elsewhere
    # savepoint, type, settings, site switches, event insert, preferences, email_off,
    # email cadences (with the site's default: an alert may wait for a digest), suppressions,
    # inbox bulk insert (a COPY on PostgreSQL, which Django does not count), undelivered
    # (none: no query), recipient count, release savepoint
    from django.db import connection

    expected = 11 if connection.vendor == "postgresql" else 12
    with django_assert_num_queries(expected), django_capture_on_commit_callbacks(execute=False):
        result = send(ALERT, users, context=context_for(ALERT))
    assert result.outputs["web"] == count


def test_an_events_own_templates_replace_the_types_on_the_web_and_in_email(sent, db):
    from notifications.models import MessageTemplate, MessageType

    french = UserFactory(language="fr")
    english = UserFactory()
    MessageTemplate.objects.create(
        message_type=MessageType.objects.get(key=ALERT),
        language="fr",
        subject="{{ program }} : échéance",
        body="Bonjour",
    )
    sent(
        ALERT,
        [french, english],
        context=context_for(ALERT, program="Safety"),
        templates={
            "subject": "Finish {{ program }}, {{ recipient }}",
            "body": "Due: {{ program }}",
        },
    )
    emails = {m.to[0]: m for m in mail.outbox}
    # The event's own text wins over the type's default and an admin's translation alike.
    assert emails[french.email].subject == f"Finish Safety, {french.display_name}"
    assert emails[english.email].subject == f"Finish Safety, {english.display_name}"
    assert "Due: Safety" in emails[english.email].body
    assert "Due: Safety" in emails[english.email].alternatives[0][0]
    alert = Alert.objects.get(recipient=english)
    from alerts.presenting import Presenter

    shown = Presenter(english).as_dict(alert)
    assert (shown["subject"], shown["body"]) == (
        f"Finish Safety, {english.display_name}",
        "<p>Due: Safety</p>",
    )


def test_a_prefix_goes_before_the_types_own_body(sent, user):
    sent(ALERT, [user], templates={"prefix": "For {{ recipient }}:"})
    body = mail.outbox[0].body
    assert f"For {user.display_name}:" in body
    assert body.index("For ") < body.index("is due on")


@pytest.mark.parametrize(
    ("templates", "error"),
    [
        ({"subject": "{{ progam }} is due"}, "Unknown placeholder {{ progam }}"),
        ({"body": "{% if program %}unclosed"}, "syntax error"),
        ({"footer": "x"}, "unknown template parts"),
    ],
)
def test_an_event_template_that_cannot_render_is_refused_and_writes_nothing(templates, error, user):
    with pytest.raises(ValueError, match=re.escape(error)):
        send(ALERT, [user], context=context_for(ALERT), templates=templates)
    assert not Event.objects.exists()
    assert not Alert.objects.exists()


def test_an_admins_translation_with_an_unknown_placeholder_is_refused(db):
    from django.core.exceptions import ValidationError

    from notifications.models import MessageTemplate, MessageType

    template = MessageTemplate(
        message_type=MessageType.objects.get(key=ALERT),
        language="fr",
        subject="{{ programme }}",
        body="{% if %}",
    )
    with pytest.raises(ValidationError) as raised:
        template.full_clean()
    assert "Unknown placeholder {{ programme }}" in str(raised.value.message_dict["subject"])
    assert "syntax error" in str(raised.value.message_dict["body"])
