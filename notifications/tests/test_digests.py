"""Email cadence and digests: which email waits for a daily or weekly digest (or never goes),
the email.send_digests job in each user's time zone, once per period, and the page and API."""

import datetime as dt
import smtplib
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from alerts.models import Alert
from notifications import digests, email, jobs, send
from notifications.factories import context_for
from notifications.models import (
    Cadence,
    Digest,
    EmailCadence,
    EmailDelivery,
    OutputSetting,
    Preference,
    SiteMessaging,
    UserMessaging,
)
from notifications.tests.test_email import FlakyConnection

UTC = dt.UTC
Status = EmailDelivery.Status
ALERT = "programs.due"  # an alert: emailed when logged off by default
OTHER_ALERT = "programs.completed"
COURSE = "courses.request_approved"  # an email of another feature (courses)
TASK = "programs.extension_request"
URGENT = "programs.overdue"  # urgent by default
KEEPS = "seminars.booking_confirmation"  # carries a calendar invitation

# 2026-01-14 is a Wednesday, 2026-01-19 a Monday.
WEDNESDAY = dt.datetime(2026, 1, 14, 12, 0, tzinfo=UTC)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def choose(user, cadence, feature=""):
    EmailCadence.objects.update_or_create(user=user, feature=feature, defaults={"cadence": cadence})


@pytest.fixture
def send_at(django_capture_on_commit_callbacks):
    """Sends at `moment` (the event's time), running what send() scheduled after commit."""

    def _send(moment, key, recipients, **kwargs):
        kwargs.setdefault("context", context_for(key))
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return send(key, recipients, **kwargs)

    return _send


@pytest.fixture
def run_job(django_capture_on_commit_callbacks):
    """Runs the digest job at `moment` and the email task it queues."""

    def _run(moment):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return digests.send_digests(moment)

    return _run


def digest_mail():
    return [m for m in mail.outbox if m.extra_headers["X-Notification-Type"].startswith("digest")]


# The rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("cadence", [Cadence.DAILY, Cadence.WEEKLY])
def test_a_digest_cadence_makes_email_wait_and_writes_the_web_row_at_once(send_at, user, cadence):
    choose(user, cadence)
    result = send_at(WEDNESDAY, ALERT, [user])
    assert result.outputs == {"web": 1, "email": 1, "push": 0}
    assert Alert.objects.filter(recipient=user, key=ALERT).count() == 1
    row = EmailDelivery.objects.get(user=user)
    assert (row.status, row.held_until) == (Status.DIGEST, None)
    assert mail.outbox == []


def test_immediately_sends_now_and_never_sends_no_email_but_the_web_row(send_at, user, other_user):
    choose(user, Cadence.IMMEDIATELY)
    choose(other_user, Cadence.NEVER)
    result = send_at(WEDNESDAY, ALERT, [user, other_user])
    assert result.outputs == {"web": 2, "email": 1, "push": 0}
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert Alert.objects.filter(recipient=other_user).count() == 1
    assert not EmailDelivery.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    ("key", "urgency"),
    [(TASK, None), (URGENT, None), (ALERT, "urgent"), (KEEPS, None)],
    ids=["a task", "urgent by its type", "urgent by the sender", "a document to keep"],
)
def test_tasks_urgent_messages_and_documents_to_keep_are_never_held_back(
    send_at, user, key, urgency
):
    choose(user, Cadence.WEEKLY)
    send_at(WEDNESDAY, key, [user], urgency=urgency)
    assert EmailDelivery.objects.get(user=user).status == Status.SENT
    assert len(mail.outbox) == 1


def test_forced_email_ignores_the_cadence_even_never(send_at, user, other_user):
    OutputSetting.objects.filter(message_type__key=ALERT, output="email").update(
        permission="forced"
    )
    choose(user, Cadence.NEVER)
    choose(other_user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user, other_user])
    assert sorted(m.to[0] for m in mail.outbox) == sorted([user.email, other_user.email])


def test_the_site_default_applies_to_users_who_never_chose(send_at, user, other_user):
    SiteMessaging(email_cadence=Cadence.DAILY).save()
    choose(other_user, Cadence.IMMEDIATELY)
    send_at(WEDNESDAY, ALERT, [user, other_user])
    assert EmailDelivery.objects.get(user=user).status == Status.DIGEST
    assert EmailDelivery.objects.get(user=other_user).status == Status.SENT


def test_a_features_own_cadence_overrides_the_users_default(send_at, user):
    choose(user, Cadence.DAILY)
    choose(user, Cadence.IMMEDIATELY, feature="programs")
    send_at(WEDNESDAY, ALERT, [user])
    send_at(WEDNESDAY, COURSE, [user])
    statuses = dict(EmailDelivery.objects.values_list("event__key", "status"))
    assert statuses == {ALERT: Status.SENT, COURSE: Status.DIGEST}


@pytest.mark.parametrize("count", [3, 30])
def test_cadences_cost_one_query_per_batch(db, count, django_capture_on_commit_callbacks):
    """The batch's cadences and the site's default come in one query, however many users."""
    users = UserFactory.create_batch(count)
    for index, person in enumerate(users):
        choose(person, [Cadence.DAILY, Cadence.WEEKLY, Cadence.NEVER][index % 3])
    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False),
    ):
        result = send(ALERT, users, context=context_for(ALERT))
    assert result.outputs == {"web": count, "email": count - count // 3, "push": 0}
    assert EmailDelivery.objects.filter(status=Status.DIGEST).count() == count - count // 3
    # savepoint, type, settings, site switches, event insert, preferences, the users'
    # switches, cadences (with the site's), suppressions, inbox rows, digest rows (both
    # COPY on PostgreSQL, not counted), the batch's push subscriptions (none: no push rows),
    # recipient count, release savepoint.
    expected = 12 if connection.vendor == "postgresql" else 14
    assert len(queries) == expected, [q["sql"][:80] for q in queries]


# The job --------------------------------------------------------------------------------------


def test_the_daily_digest_goes_at_seven_local_time_once(send_at, run_job, user, other_user):
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    send_at(WEDNESDAY + dt.timedelta(hours=1), COURSE, [user])
    assert run_job(at(2026, 1, 15, 6, 59))["digests"] == 0
    assert run_job(at(2026, 1, 15, 7, 0)) == {"digests": 1, "items": 2, "skipped": 0, "errors": 0}
    assert run_job(at(2026, 1, 15, 7, 15))["digests"] == 0
    assert len(digest_mail()) == 1
    assert digest_mail()[0].to == [user.email]
    digest = Digest.objects.get()
    assert (digest.cadence, digest.period, digest.item_count) == ("daily", dt.date(2026, 1, 15), 2)
    assert set(EmailDelivery.objects.filter(digest=digest).values_list("status", flat=True)) == {
        Status.DIGESTED
    }
    assert digest.delivery.status == Status.SENT


def test_what_arrives_after_seven_waits_for_the_next_days_digest(send_at, run_job, user):
    choose(user, Cadence.DAILY)
    send_at(at(2026, 1, 15, 7, 5), ALERT, [user])
    assert run_job(at(2026, 1, 15, 10, 0))["digests"] == 0  # no digest today: nothing before 07:00
    assert run_job(at(2026, 1, 16, 7, 0))["digests"] == 1
    assert Digest.objects.get().period == dt.date(2026, 1, 16)


@pytest.mark.parametrize(
    ("zone", "before", "due"),
    [
        ("Asia/Tokyo", at(2026, 1, 14, 21, 59), at(2026, 1, 14, 22, 0)),  # UTC+9
        ("America/New_York", at(2026, 1, 15, 11, 59), at(2026, 1, 15, 12, 0)),  # UTC-5
        # London springs forward on 29 March 2026: 07:00 BST is 06:00 UTC.
        ("Europe/London", at(2026, 3, 29, 5, 59), at(2026, 3, 29, 6, 0)),
        # New York falls back on 1 November 2026: 07:00 EST is 12:00 UTC.
        ("America/New_York", at(2026, 11, 1, 11, 59), at(2026, 11, 1, 12, 0)),
    ],
)
def test_the_daily_digest_follows_the_users_time_zone_and_dst(
    send_at, run_job, db, zone, before, due
):
    person = UserFactory(timezone=zone)
    choose(person, Cadence.DAILY)
    send_at(before - dt.timedelta(hours=6), ALERT, [person])
    assert run_job(before)["digests"] == 0
    assert run_job(due)["digests"] == 1
    assert len(digest_mail()) == 1


def test_the_period_start_is_the_last_seven_oclock_in_the_zone():
    london = "Europe/London"
    assert digests.period_start("daily", london, at(2026, 3, 29, 6, 0)) == (
        dt.date(2026, 3, 29),
        at(2026, 3, 29, 6, 0),
    )
    assert digests.period_start("daily", london, at(2026, 3, 29, 5, 59)) == (
        dt.date(2026, 3, 28),
        at(2026, 3, 28, 7, 0),
    )
    # Weekly: the Monday of the ISO week, or the one before until its 07:00.
    assert digests.period_start("weekly", "UTC", at(2026, 1, 18, 23, 0))[0] == dt.date(2026, 1, 12)
    assert digests.period_start("weekly", "UTC", at(2026, 1, 19, 7, 0))[0] == dt.date(2026, 1, 19)
    assert digests.period_start("weekly", "Asia/Tokyo", at(2026, 1, 18, 22, 0))[0] == dt.date(
        2026, 1, 19
    )


def test_the_weekly_digest_goes_on_monday_once_a_week(send_at, run_job, user):
    choose(user, Cadence.WEEKLY)
    send_at(WEDNESDAY, ALERT, [user])
    assert run_job(at(2026, 1, 15, 7, 0))["digests"] == 0  # Thursday
    assert run_job(at(2026, 1, 19, 6, 59))["digests"] == 0  # Monday, before 07:00
    assert run_job(at(2026, 1, 19, 7, 0))["digests"] == 1
    send_at(at(2026, 1, 19, 9, 0), ALERT, [user])
    assert run_job(at(2026, 1, 22, 7, 0))["digests"] == 0  # the week's digest went
    assert run_job(at(2026, 1, 26, 7, 0))["digests"] == 1
    assert len(digest_mail()) == 2
    assert "weekly" in digest_mail()[0].subject.lower()


def test_cron_twice_sends_one_digest_and_beat_runs_the_job_every_15_minutes(
    send_at, user, django_capture_on_commit_callbacks
):
    job = {j.name: j for j in jobs.all_jobs()}["email.send_digests"]
    assert job.every_seconds == 900
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    with (
        time_machine.travel(at(2026, 1, 15, 7, 3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("cron", "email.send_digests")
        call_command("cron", "email.send_digests")
    assert len(digest_mail()) == 1
    assert Digest.objects.count() == 1


def test_a_failed_send_is_retried_and_sends_the_same_digest_once(send_at, run_job, user):
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    flaky = FlakyConnection(smtplib.SMTPServerDisconnected("gone"), failures=1)
    with mock.patch("notifications.email.get_connection", return_value=flaky):
        run_job(at(2026, 1, 15, 7, 0))
        row = Digest.objects.get().delivery
        assert (row.status, row.attempts) == (Status.PENDING, 1)
        assert run_job(at(2026, 1, 15, 7, 15))["digests"] == 0  # the same digest, not a new one
        with time_machine.travel(row.next_attempt_at + dt.timedelta(seconds=1), tick=False):
            assert email.send_due()["sent"] == 1
    assert len(flaky.sent) == 1
    assert "daily digest" in flaky.sent[0].subject.lower()
    row.refresh_from_db()
    assert row.status == Status.SENT


def test_a_digest_that_cannot_be_made_waits_for_the_next_run(send_at, run_job, user):
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    with mock.patch("notifications.digests.render_digest", side_effect=RuntimeError("boom")):
        assert run_job(at(2026, 1, 15, 7, 0))["errors"] == 1
    assert EmailDelivery.objects.get().status == Status.DIGEST
    assert Digest.objects.count() == 0
    assert run_job(at(2026, 1, 15, 7, 15))["digests"] == 1
    assert len(digest_mail()) == 1


def test_a_type_switched_off_later_leaves_the_digest(send_at, run_job, user):
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user], context=context_for(ALERT, program="Safety"))
    send_at(WEDNESDAY, COURSE, [user], context=context_for(COURSE, course="Welding"))
    from notifications.models import MessageType

    Preference.objects.create(
        user=user,
        message_type=MessageType.objects.get(key=ALERT),
        output="email",
        logged_in=False,
        logged_off=False,
    )
    assert run_job(at(2026, 1, 15, 7, 0)) == {"digests": 1, "items": 1, "skipped": 1, "errors": 0}
    body = digest_mail()[0].body
    assert "Welding" in body and "Safety" not in body
    assert EmailDelivery.objects.get(event__key=ALERT).status == Status.SKIPPED


def test_nothing_left_sends_nothing(send_at, run_job, user):
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    choose(user, Cadence.NEVER, feature="programs")
    assert run_job(at(2026, 1, 15, 7, 0)) == {"digests": 0, "items": 0, "skipped": 1, "errors": 0}
    assert mail.outbox == [] and Digest.objects.count() == 0


def test_back_to_immediately_sends_what_waited_at_the_next_run(send_at, run_job, user):
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    send_at(WEDNESDAY, COURSE, [user])
    choose(user, Cadence.IMMEDIATELY)
    assert run_job(WEDNESDAY + dt.timedelta(minutes=15))["digests"] == 1
    assert len(digest_mail()) == 1
    assert digest_mail()[0].subject == "2 messages that waited for your digest"
    assert run_job(WEDNESDAY + dt.timedelta(minutes=30))["digests"] == 0


def test_the_email_groups_by_feature_newest_first_with_links(send_at, run_job, user, settings):
    choose(user, Cadence.DAILY)
    send_at(
        at(2026, 1, 14, 9, 0),
        ALERT,
        [user],
        context=context_for(ALERT, program="Oldest"),
        url="/programs/1/",
    )
    send_at(
        at(2026, 1, 14, 10, 0),
        COURSE,
        [user],
        context=context_for(COURSE, course="Middle"),
        url="/courses/7/",
    )
    send_at(
        at(2026, 1, 14, 11, 0),
        OTHER_ALERT,
        [user],
        context=context_for(OTHER_ALERT, program="Newest"),
        url="/programs/2/",
    )
    run_job(at(2026, 1, 15, 7, 0))
    (message,) = digest_mail()
    assert message.subject == "Your daily digest: 3 new messages"
    body = message.body
    # Programs has the newest message, so it comes first; in it, newest first.
    assert body.index("Program management") < body.index("Course")
    assert body.index("Newest") < body.index("Oldest") < body.index("Middle")
    site = settings.SITE_URL
    for path in ("/programs/2/", "/programs/1/", "/courses/7/"):
        assert f"{site}{path}" in body
    assert f"{site}/preferences/messaging/#email-frequency" in body
    html = message.alternatives[0][0]
    assert f'href="{site}/programs/2/"' in html and "<h2" in html


def test_the_digest_is_written_in_the_recipients_language(send_at, run_job, db):
    french = UserFactory(language="fr", timezone="Europe/Paris")
    choose(french, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [french])
    run_job(at(2026, 1, 15, 6, 0))  # 07:00 in Paris
    (message,) = digest_mail()
    assert message.subject == "Votre résumé quotidien : 1 nouveau message"
    assert "Modifier la fréquence de vos e-mails" in message.alternatives[0][0]
    assert "Program due" not in message.body  # the item's own subject is in French too


def test_the_job_costs_a_constant_number_of_queries_per_digest(send_at, db):
    def measure(count):
        EmailDelivery.objects.all().delete()
        users = UserFactory.create_batch(count)
        for person in users:
            choose(person, Cadence.DAILY)
        send_at(WEDNESDAY, ALERT, users)
        with (
            time_machine.travel(at(2026, 1, 15, 7, 0), tick=False),
            CaptureQueriesContext(connection) as queries,
        ):
            assert digests.send_digests(at(2026, 1, 15, 7, 0))["digests"] == count
        return len(queries)

    three, thirty = measure(3), measure(30)
    # Per digest: a savepoint, its outbox row, the digest, its items claimed, the release.
    per_digest = (thirty - three) / 27
    assert per_digest == 5
    # The reads: when each user's oldest message per feature came, the site's settings and
    # switches, then per chunk of users: them, their cadences, their switches, the digests
    # already made, the waiting rows, the types' email settings, the types turned off, the
    # admins' templates.
    assert three - 3 * per_digest == 11


def test_a_run_when_no_digest_is_due_reads_no_message(send_at, db):
    users = UserFactory.create_batch(5)
    for person in users:
        choose(person, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, users)
    with CaptureQueriesContext(connection) as queries:
        assert digests.send_digests(WEDNESDAY + dt.timedelta(hours=1))["digests"] == 0
    # The oldest waiting message per user and feature, the site's settings and switches, the
    # users, their cadences, their switches, their digests: no message row.
    assert len(queries) == 7, [q["sql"][:80] for q in queries]


def test_an_urgent_message_in_quiet_hours_is_emailed_now_whatever_the_cadence(send_at, user):
    UserMessaging.objects.create(user=user, quiet_hours_enabled=True)  # 22:00-07:00
    choose(user, Cadence.DAILY)
    send_at(at(2026, 1, 14, 23, 0), ALERT, [user], urgency="urgent")
    assert len(mail.outbox) == 1


def test_a_digest_due_in_quiet_hours_waits_until_they_end(send_at, run_job, user):
    UserMessaging.objects.create(
        user=user,
        quiet_hours_enabled=True,
        quiet_hours_start=dt.time(22, 0),
        quiet_hours_end=dt.time(8, 0),
    )
    choose(user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user])
    assert EmailDelivery.objects.get().held_until is None  # a digest item is not held itself
    assert run_job(at(2026, 1, 15, 7, 0))["digests"] == 0
    assert run_job(at(2026, 1, 15, 8, 0))["digests"] == 1
    assert len(digest_mail()) == 1


# The page and the API --------------------------------------------------------------------------

PAGE = "/preferences/messaging/"
FORM = "/preferences/messaging/cadence/"
API = "/api/preferences/cadence/"


def chosen(user) -> dict:
    return dict(EmailCadence.objects.filter(user=user).values_list("feature", "cadence"))


def test_the_page_shows_and_saves_the_email_frequency(client, user):
    client.force_login(user)
    page = client.get(PAGE).content.decode()
    assert 'id="email-frequency"' in page and "Site default (Immediately)" in page
    assert 'name="cadence:programs"' in page
    assert 'name="cadence:site_admin"' not in page  # a learner gets none of its types
    response = client.post(FORM, {"cadence_default": "daily", "cadence:programs": "weekly"})
    assert response.status_code == 302 and response.url.endswith("#email-frequency")
    assert chosen(user) == {"": "daily", "programs": "weekly"}
    page = client.get(PAGE).content.decode()
    assert "Your email frequency is saved." in page
    assert '<option value="weekly" selected>' in page
    client.post(FORM, {"cadence_default": "", "cadence:programs": ""})
    assert chosen(user) == {}


def test_the_page_refuses_a_bad_value_says_why_and_changes_nothing(client, user):
    client.force_login(user)
    choose(user, Cadence.WEEKLY)
    response = client.post(FORM, {"cadence_default": "hourly", "cadence:programs": "daily"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your email frequency was not saved" in page and "Must be one of" in page
    assert 'aria-describedby="cadence-default-error"' in page
    assert chosen(user) == {"": "weekly"}


def test_the_api_reads_and_changes_the_cadence(client, user):
    client.force_login(user)
    body = client.get(API).json()
    assert (body["default"], body["site_default"]) == (None, "immediately")
    programs = next(f for f in body["features"] if f["feature"] == "programs")
    assert programs == {
        "feature": "programs",
        "name": "Program management",
        "cadence": None,
        "effective": "immediately",
    }
    response = client.patch(
        API,
        {"default": "weekly", "features": {"programs": "daily", "courses": None}},
        content_type="application/json",
    )
    assert response.status_code == 200
    features = {f["feature"]: f for f in response.json()["features"]}
    assert features["programs"]["effective"] == "daily"
    assert features["courses"]["effective"] == "weekly"
    assert chosen(user) == {"": "weekly", "programs": "daily"}


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"default": "hourly"}, {"default": "Must be one of"}),
        ({"features": {"programs": 1}}, {"features.programs": "Must be one of"}),
        ({"features": {"site_admin": "daily"}}, {"features.site_admin": "Not a feature"}),
        ({"features": ["programs"]}, {"features": "Must be an object"}),
        ({"default": "daily", "volume": 1}, {"volume": "Not an email frequency setting"}),
        ([{"default": "daily"}], {"non_field_errors": "Send an object"}),
    ],
)
def test_the_api_answers_400_for_bad_input_and_changes_nothing(client, user, body, errors):
    client.force_login(user)
    choose(user, Cadence.WEEKLY)
    response = client.patch(API, body, content_type="application/json")
    assert response.status_code == 400
    got = response.json()["errors"]
    assert set(got) == set(errors)
    for name, text in errors.items():
        assert got[name].startswith(text)
    assert chosen(user) == {"": "weekly"}


def test_the_api_needs_a_login(client, db):
    assert client.get(API).status_code in (401, 403)


def test_the_admin_sets_the_site_default_and_lists_digests_and_their_rows(
    client, send_at, run_job, user
):
    from accounts.factories import AdminFactory

    client.force_login(AdminFactory())
    form = client.get("/admin/notifications/sitemessaging/add/").content.decode()
    assert 'name="email_cadence"' in form and 'value="never"' not in form
    response = client.post(
        "/admin/notifications/sitemessaging/add/", {"email_cadence": "daily"}, follow=True
    )
    assert response.status_code == 200
    assert SiteMessaging.load().email_cadence == "daily"
    send_at(WEDNESDAY, ALERT, [user])
    run_job(at(2026, 1, 15, 7, 0))
    listing = client.get("/admin/notifications/digest/").content.decode()
    assert "Your daily digest: 1 new message" in listing and "Sent" in listing
    log = client.get("/admin/notifications/emaildelivery/").content.decode()
    assert "digest (digest-daily)" in log and "Sent in a digest" in log


def test_with_batch_sending_a_digest_goes_on_its_own(send_at, run_job, user, other_user, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.EMAIL_BATCH_SEND = True
    settings.EMAIL_MERGE_FIELD = "{{{{{}}}}}"  # {{name}}
    choose(user, Cadence.DAILY)
    choose(other_user, Cadence.DAILY)
    send_at(WEDNESDAY, ALERT, [user, other_user])
    run_job(at(2026, 1, 15, 7, 0))
    assert sorted(m.to[0] for m in digest_mail()) == sorted([user.email, other_user.email])
    assert set(Digest.objects.values_list("delivery__status", flat=True)) == {Status.SENT}


def test_never_for_an_email_only_type_is_recorded_as_undelivered(send_at, user):
    from notifications.models import Undelivered

    choose(user, Cadence.NEVER, feature="courses")
    result = send_at(WEDNESDAY, COURSE, [user])  # web is off by default for email types
    assert result.undelivered == 1
    assert "chose no email for" in Undelivered.objects.get(user=user).reason


def test_what_the_user_muted_since_leaves_the_digest(send_at, run_job, user):
    from features.courses.factories import CourseFactory
    from notifications import muting

    course = CourseFactory(full_name="Workplace safety")
    choose(user, Cadence.DAILY)
    first = send_at(WEDNESDAY, ALERT, [user], about=[course])
    send_at(WEDNESDAY, COURSE, [user], context=context_for(COURSE, course="Welding"))
    with time_machine.travel(WEDNESDAY + dt.timedelta(hours=1), tick=False):
        muting.mute(user, muting.subject_key(course), event_id=first.event_id)
    assert run_job(at(2026, 1, 15, 7, 0)) == {"digests": 1, "items": 1, "skipped": 1, "errors": 0}
    assert "Welding" in digest_mail()[0].body
    assert EmailDelivery.objects.get(event_id=first.event_id).status == Status.SKIPPED


def test_the_schema_describes_the_cadence_api(client, user):
    client.force_login(user)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    body = response.content.decode()
    assert "/api/preferences/cadence/" in body and "site_default" in body
