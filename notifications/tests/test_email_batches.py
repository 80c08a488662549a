"""The email task in batches: one claim, a group marked and confirmed in one statement each,
at most one group left unknown by a worker that dies, and the embedded default's budget."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from notifications import email, send
from notifications.factories import context_for
from notifications.models import EmailDelivery, EmailSuppression

KEY = "forums.post"
Status = EmailDelivery.Status


def queued(count, capture):
    """`count` outbox rows of one event, waiting for a worker."""
    users = UserFactory.create_batch(count)
    with mock.patch("notifications.tasks.send_emails.delay"), capture(execute=True):
        send(KEY, users, context=context_for(KEY), url="/forums/1/")
    return users


@pytest.mark.parametrize("count", [8, 24])
def test_a_batch_costs_a_constant_number_of_queries_per_group(
    db, count, settings, django_capture_on_commit_callbacks, django_assert_num_queries
):
    settings.EMAIL_CLAIM_BATCH = 100
    settings.EMAIL_SENDING_GROUP = 4
    users = queued(count, django_capture_on_commit_callbacks)
    EmailSuppression.objects.create(address=users[0].email, reason="bounced")
    groups = -(-(count - 1) // 4)
    # claim; the rows with events, types, senders, users and suppressions; the admins'
    # templates; the suppressed rows; then per group: mark sending, confirm sent; the claim
    # that finds nothing left
    with django_assert_num_queries(4 + 2 * groups + 1):
        assert email.send_due()["sent"] == count - 1
    assert len(mail.outbox) == count - 1
    assert EmailDelivery.objects.filter(status=Status.SENT).count() == count - 1
    sent = EmailDelivery.objects.filter(status=Status.SENT).first()
    assert sent.attempts == 1 and sent.sent_at and sent.subject and sent.esp_message_id


@pytest.mark.parametrize("batch", [50, 200])
def test_the_claims_queries_do_not_grow_with_the_batch(
    db, batch, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_CLAIM_BATCH = batch
    settings.EMAIL_SENDING_GROUP = batch
    queued(batch, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as queries:
        email.send_due()
    # claim, rows, templates, mark, confirm, the empty claim
    assert len(queries.captured_queries) == 6
    assert len(mail.outbox) == batch


class Killed(BaseException):
    """Stands for the worker's process being killed in the middle of a send."""


class DiesAt:
    """A mail connection that sends until its `at`th message, then the worker dies."""

    def __init__(self, at):
        self.at, self.sent = at, []

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if len(self.sent) + 1 == self.at:
            raise Killed
        self.sent.extend(messages)
        return len(messages)


def test_a_worker_that_dies_leaves_at_most_one_group_unknown_and_sends_nothing_twice(
    db, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_CLAIM_BATCH = 50
    settings.EMAIL_SENDING_GROUP = 10
    queued(50, django_capture_on_commit_callbacks)
    dying = DiesAt(15)
    with (
        mock.patch("notifications.email.get_connection", return_value=dying),
        pytest.raises(Killed),
    ):
        email.send_due()
    # The second group's four sent rows were confirmed on the way out (a process killed outright
    # would leave all ten `sending`); its other six were never tried; the rest, only claimed.
    assert statuses() == {Status.SENT: 14, Status.SENDING: 6, Status.CLAIMED: 30}
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.EMAIL_STUCK_SECONDS + 1)):
        assert email.sweep() == {"released": 30, "interrupted": 6, "queued": 30}
    assert statuses() == {Status.SENT: 44, Status.UNKNOWN: 6}
    addresses = [m.to[0] for m in dying.sent] + [m.to[0] for m in mail.outbox]
    assert len(addresses) == len(set(addresses)) == 44


def statuses():
    return dict(EmailDelivery.objects.values_list("status").annotate(n=Count("id")))


def test_the_embedded_default_sends_3000_with_email_and_web_at_a_query_per_25(
    db, settings, django_capture_on_commit_callbacks
):
    """As a site running embedded (eager tasks, nobody online) sends one event to 3,000; the
    same budget holds on PostgreSQL with the tasks run in the caller."""
    User = get_user_model()
    User.objects.bulk_create(
        [User(username=f"u{i}", email=f"u{i}@example.com", full_name=f"U {i}") for i in range(3000)]
    )
    key = "programs.enrolment"
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = send(key, User.objects.all(), context=context_for(key))
    assert result.outputs == {"web": 3000, "email": 3000, "push": 0}
    assert len(mail.outbox) == 3000
    assert Alert.objects.count() == 3000
    assert not EmailDelivery.objects.exclude(status=Status.SENT).exists()
    assert len(queries.captured_queries) <= 3000 / 25, len(queries.captured_queries)


@pytest.fixture
def batch_sending(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.EMAIL_BATCH_SEND = True
    settings.EMAIL_MERGE_FIELD = "{{{{{}}}}}"  # {{name}}


def test_batch_sending_sends_one_message_with_each_recipients_values(
    db, batch_sending, django_capture_on_commit_callbacks
):
    french = UserFactory.create_batch(2, language="fr")
    english = UserFactory.create_batch(3, full_name="Ann <Smith>")
    with django_capture_on_commit_callbacks(execute=True):
        send(KEY, [*french, *english], context=context_for(KEY), url="/forums/1/")
    assert len(mail.outbox) == 2  # one per language
    by_language = {len(m.to): m for m in mail.outbox}
    message = by_language[3]
    params = message.anymail_test_params
    assert params["is_batch_send"]
    assert sorted(message.to) == sorted(u.email for u in english)
    values = message.merge_data[english[0].email]
    assert values["name"] == "Ann <Smith>" and values["name_html"] == "Ann &lt;Smith&gt;"
    assert values["unsubscribe"].startswith("http") and "/unsubscribe/" in values["unsubscribe"]
    header = message.merge_headers[english[0].email]["List-Unsubscribe"]
    assert header == f"<{values['unsubscribe']}>"
    # The ESP puts each recipient's values where the merge fields stand.
    body = message.body.replace("{{name}}", values["name"])
    body = body.replace("{{unsubscribe}}", values["unsubscribe"])
    one = email.build_message(EmailDelivery.objects.get(user=english[0]), english[0], None)
    assert body == one.body.replace(
        one.extra_headers["List-Unsubscribe"].strip("<>"), values["unsubscribe"]
    )
    assert "{{unsubscribe_html}}" in message.alternatives[0][0]
    rows = EmailDelivery.objects.filter(user__in=english)
    assert {r.status for r in rows} == {Status.SENT}
    assert "{{" not in rows[0].subject  # the log shows what the recipient read
    assert {r.esp_message_id for r in rows} == {str(mail.outbox.index(message))}


def test_batch_sending_keeps_apart_what_cannot_share_a_message(
    db, batch_sending, settings, django_capture_on_commit_callbacks
):
    """Two people with one address get two messages; a refused address fails alone."""
    first = UserFactory(email="shared@example.com")
    second = UserFactory(email="shared@example.com")
    others = UserFactory.create_batch(2)
    with (
        mock.patch("notifications.tasks.send_emails.delay"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        send(KEY, [first, second, *others], context=context_for(KEY))
    from anymail.backends.test import EmailBackend
    from anymail.message import AnymailRecipientStatus

    real_post = EmailBackend.post_to_esp

    def refuse_one(self, payload, message):
        response = real_post(self, payload, message)
        status = response["recipient_status"]
        if others[0].email in status:
            status[others[0].email] = AnymailRecipientStatus(message_id=None, status="rejected")
        return response

    with mock.patch.object(EmailBackend, "post_to_esp", refuse_one):
        assert email.send_due() == {"sent": 3, "retry": 0, "failed": 1, "suppressed": 0, "more": 0}
    assert sorted(len(m.to) for m in mail.outbox) == [1, 3]
    assert EmailDelivery.objects.get(user=others[0]).status == Status.FAILED


def test_without_batch_sending_each_email_goes_alone(
    db, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        send(KEY, UserFactory.create_batch(3), context=context_for(KEY))
    assert [len(m.to) for m in mail.outbox] == [1, 1, 1]
    assert not any(m.anymail_test_params["is_batch_send"] for m in mail.outbox)


def test_a_task_on_a_worker_sends_a_few_batches_then_queues_its_continuation(
    db, settings, django_capture_on_commit_callbacks
):
    from notifications import tasks

    settings.EMAIL_CLAIM_BATCH = 3
    settings.EMAIL_TASK_BATCHES = 2
    users = queued(10, django_capture_on_commit_callbacks)
    event_id = EmailDelivery.objects.values_list("event_id", flat=True).first()
    continuations = []
    conf = tasks.send_emails.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False  # as on a worker
    try:
        run_as_on_a_worker(tasks, event_id, continuations, users)
    finally:
        conf.task_always_eager = eager


def run_as_on_a_worker(tasks, event_id, continuations, users):
    with mock.patch("notifications.tasks.send_emails.delay", side_effect=continuations.append):
        result = tasks.send_emails(event_id)
        assert (result["sent"], result["more"]) == (6, 1)
        assert continuations == [event_id] and len(mail.outbox) == 6
        # The continuation sends the rest and stops: a part batch means nothing is left.
        result = tasks.send_emails(event_id)
        assert (result["sent"], result["more"]) == (4, 0)
        assert continuations == [event_id]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users)


def test_eager_the_task_sends_everything_at_once(db, settings, django_capture_on_commit_callbacks):
    from notifications import tasks

    settings.EMAIL_CLAIM_BATCH = 3
    settings.EMAIL_TASK_BATCHES = 1
    queued(10, django_capture_on_commit_callbacks)
    assert tasks.send_emails(None)["sent"] == 10
