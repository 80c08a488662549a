"""Quiet hours: email waits until they end in the user's time zone, web rows and urgent
messages do not; the email.send_held job sends what waited, in order, once."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from alerts.models import Alert
from notifications import email, jobs
from notifications.models import EmailDelivery, UserMessaging
from notifications.quiet_hours import QuietHours, quiet_until

UTC = dt.UTC
TASK = "feedback360.request"  # a task: web forced, email when logged off by default
Status = EmailDelivery.Status


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def hours(start="22:00", end="07:00", weekends=False, zone="UTC", enabled=True) -> QuietHours:
    return QuietHours(
        enabled=enabled,
        start=dt.time.fromisoformat(start),
        end=dt.time.fromisoformat(end),
        weekends=weekends,
        timezone=zone,
    )


def quiet(user, start="22:00", end="07:00", weekends=False):
    UserMessaging.objects.update_or_create(
        user=user,
        defaults={
            "quiet_hours_enabled": True,
            "quiet_hours_start": dt.time.fromisoformat(start),
            "quiet_hours_end": dt.time.fromisoformat(end),
            "quiet_hours_weekends": weekends,
        },
    )


# When quiet hours end ------------------------------------------------------------------------


# 2026-01-14 is a Wednesday.
@pytest.mark.parametrize(
    ("now", "until"),
    [
        (at(2026, 1, 14, 23, 0), at(2026, 1, 15, 7, 0)),  # after the start: tomorrow morning
        (at(2026, 1, 14, 6, 59), at(2026, 1, 14, 7, 0)),  # before the end: this morning
        (at(2026, 1, 14, 22, 0), at(2026, 1, 15, 7, 0)),  # the start is quiet
        (at(2026, 1, 14, 7, 0), None),  # the end is not
        (at(2026, 1, 14, 12, 0), None),
    ],
)
def test_an_overnight_range_ends_the_next_morning(now, until):
    assert quiet_until(hours(), now) == until


def test_a_daytime_range_and_disabled_quiet_hours():
    lunch = hours("12:00", "13:30")
    assert quiet_until(lunch, at(2026, 1, 14, 12, 15)) == at(2026, 1, 14, 13, 30)
    assert quiet_until(lunch, at(2026, 1, 14, 11, 59)) is None
    assert quiet_until(lunch, at(2026, 1, 14, 23, 0)) is None
    assert quiet_until(hours(enabled=False), at(2026, 1, 14, 23, 0)) is None
    assert quiet_until(None, at(2026, 1, 14, 23, 0)) is None


def test_it_reads_the_range_in_the_users_time_zone():
    tokyo = hours(zone="Asia/Tokyo")  # UTC+9: 22:00-07:00 there is 13:00-22:00 UTC
    assert quiet_until(tokyo, at(2026, 1, 14, 14, 0)) == at(2026, 1, 14, 22, 0)
    assert quiet_until(tokyo, at(2026, 1, 14, 23, 0)) is None


def test_a_quiet_weekend_joins_the_nights_around_it():
    weekend = hours(weekends=True, zone="Europe/Paris")  # UTC+1 in January
    monday_seven = at(2026, 1, 19, 6, 0)
    assert quiet_until(weekend, at(2026, 1, 16, 22, 30)) == monday_seven  # Friday 23:30
    assert quiet_until(weekend, at(2026, 1, 17, 12, 0)) == monday_seven  # Saturday noon
    assert quiet_until(weekend, at(2026, 1, 18, 22, 0)) == monday_seven  # Sunday 23:00
    assert quiet_until(weekend, at(2026, 1, 16, 12, 0)) is None  # Friday noon
    # Without the weekend, Saturday noon is an ordinary day.
    assert quiet_until(hours(zone="Europe/Paris"), at(2026, 1, 17, 12, 0)) is None


def test_a_quiet_weekend_with_a_daytime_range_ends_at_monday_midnight():
    lunch_weekend = hours("12:00", "13:00", weekends=True, zone="Europe/London")
    assert quiet_until(lunch_weekend, at(2026, 1, 17, 9, 0)) == at(2026, 1, 19, 0, 0)


def test_the_end_stays_at_seven_on_the_days_the_clocks_change():
    london = hours(zone="Europe/London")
    # Spring forward (29 March 2026): 07:00 BST is 06:00 UTC; the night before, 07:00 GMT.
    assert quiet_until(london, at(2026, 3, 28, 23, 0)) == at(2026, 3, 29, 6, 0)
    assert quiet_until(london, at(2026, 3, 27, 23, 0)) == at(2026, 3, 28, 7, 0)
    # Fall back (25 October 2026): 07:00 GMT is 07:00 UTC, the night before 06:00 UTC.
    assert quiet_until(london, at(2026, 10, 24, 23, 0)) == at(2026, 10, 25, 7, 0)
    assert quiet_until(london, at(2026, 10, 23, 23, 0)) == at(2026, 10, 24, 6, 0)
    # 06:30 UTC on the fall-back day is 06:30 GMT: still quiet, half an hour to go.
    assert quiet_until(london, at(2026, 10, 25, 6, 30)) == at(2026, 10, 25, 7, 0)


def test_an_end_the_clocks_skip_is_when_they_jump_past_it():
    # New York, 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC); 02:30 never shows.
    night = hours("01:00", "02:30", zone="America/New_York")
    assert quiet_until(night, at(2026, 3, 8, 6, 30)) == at(2026, 3, 8, 7, 0)  # 01:30 EST


def test_an_end_the_clocks_show_twice_is_its_first_showing():
    # New York, 1 November 2026: 01:30 EDT (05:30 UTC), then 01:30 EST (06:30 UTC).
    night = hours("00:00", "01:30", zone="America/New_York")
    assert quiet_until(night, at(2026, 11, 1, 4, 30)) == at(2026, 11, 1, 5, 30)  # 00:30 EDT


# Sending ---------------------------------------------------------------------------------------

NIGHT = at(2026, 1, 14, 23, 0)
MORNING = at(2026, 1, 15, 7, 0)


def test_email_in_quiet_hours_waits_and_the_web_row_is_written_at_once(sent, user):
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        result = sent(TASK, [user])
    assert result.outputs == {"web": 1, "email": 1, "push": 0}
    assert Alert.objects.filter(recipient=user, key=TASK).count() == 1
    row = EmailDelivery.objects.get(user=user)
    assert (row.status, row.held_until, row.next_attempt_at) == (Status.PENDING, MORNING, MORNING)
    assert mail.outbox == []


def test_a_task_waits_like_any_message_and_an_urgent_one_goes_through(sent, user):
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        sent(TASK, [user])
        sent(TASK, [user], urgency="urgent")
    assert len(mail.outbox) == 1
    urgent = EmailDelivery.objects.get(status=Status.SENT)
    assert urgent.event.urgency == "urgent" and urgent.held_until is None
    assert EmailDelivery.objects.filter(status=Status.PENDING, held_until=MORNING).count() == 1


def test_only_recipients_in_quiet_hours_wait(sent, user, other_user):
    quiet(user)
    quiet(other_user, "08:00", "09:00")  # not now
    with time_machine.travel(NIGHT, tick=False):
        sent(TASK, [user, other_user])
    assert [m.to for m in mail.outbox] == [[other_user.email]]
    assert EmailDelivery.objects.get(user=user).held_until == MORNING


def test_the_job_sends_held_email_after_the_end_not_before_in_order_once(sent, user):
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        first = sent(TASK, [user], context=_context("first"))
    with time_machine.travel(NIGHT + dt.timedelta(hours=1), tick=False):
        second = sent(TASK, [user], context=_context("second"))
    with time_machine.travel(MORNING - dt.timedelta(minutes=1), tick=False):
        assert jobs.run("email.send_held")["sent"] == 0
    assert mail.outbox == []
    with time_machine.travel(MORNING, tick=False):
        assert jobs.run("email.send_held")["sent"] == 2
        assert jobs.run("email.send_held")["sent"] == 0
        email.sweep()  # the sweeper finds nothing left either
    assert len(mail.outbox) == 2
    assert [m.extra_headers["X-Notification-Type"] for m in mail.outbox] == [TASK, TASK]
    sent_rows = EmailDelivery.objects.order_by("id")
    assert [r.event_id for r in sent_rows] == [first.event_id, second.event_id]
    assert "first" in mail.outbox[0].body and "second" in mail.outbox[1].body
    assert all(r.status == Status.SENT for r in sent_rows)


def _context(message: str) -> dict:
    from notifications.factories import context_for

    return context_for(TASK, message=message)


def test_two_overlapping_runs_never_claim_the_same_row(sent, user, other_user):
    quiet(user)
    quiet(other_user)
    with time_machine.travel(NIGHT, tick=False):
        sent(TASK, [user, other_user])
    with time_machine.travel(MORNING, tick=False):
        one = email.claim(held=True, limit=1)
        two = email.claim(held=True)
        three = email.claim(held=True)
    assert len(one.ids) == 1 and len(two.ids) == 1 and three.ids == []
    assert set(one.ids).isdisjoint(two.ids)


def test_cron_runs_the_job_and_beat_has_it_every_minute(sent, user, capsys):
    job = {j.name: j for j in jobs.all_jobs()}["email.send_held"]
    assert job.every_seconds == 60
    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        sent(TASK, [user])
    with time_machine.travel(MORNING + dt.timedelta(minutes=3), tick=False):
        call_command("cron", "email.send_held")
        call_command("cron", "email.send_held")
    assert len(mail.outbox) == 1
    assert "email.send_held: {'sent': 1" in capsys.readouterr().out


def test_turning_quiet_hours_off_sends_what_waited(sent, user, django_capture_on_commit_callbacks):
    from notifications import flows

    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        sent(TASK, [user])
    with (
        time_machine.travel(NIGHT + dt.timedelta(minutes=5), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        flows.set_quiet_hours(user, {"enabled": False})
    assert len(mail.outbox) == 1


def test_moving_the_end_re_times_what_waits(sent, user):
    from notifications import flows

    quiet(user)
    with time_machine.travel(NIGHT, tick=False):
        sent(TASK, [user])
        flows.set_quiet_hours(user, {"end": "06:00"})
    assert EmailDelivery.objects.get(user=user).next_attempt_at == at(2026, 1, 15, 6, 0)
    assert mail.outbox == []


@pytest.mark.parametrize("count", [5, 60])
def test_quiet_hours_cost_no_query_per_recipient(db, count, django_capture_on_commit_callbacks):
    """The quiet hours of a batch come with the "no email at all" switches, in one query."""
    from notifications import send
    from notifications.factories import context_for

    users = UserFactory.create_batch(count)
    for index, person in enumerate(users):
        if index % 2:
            quiet(person)
    with (
        time_machine.travel(NIGHT, tick=False),
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=False),
    ):
        result = send(TASK, users, context=context_for(TASK))
    assert result.outputs == {"web": count, "email": count, "push": 0}
    assert EmailDelivery.objects.filter(held_until=MORNING).count() == count // 2
    # savepoint, type, settings, site switches, event insert, preferences, the users' switches
    # with their quiet hours and zones, suppressions, inbox rows, outbox rows (COPY on
    # PostgreSQL, not counted), the batch's push subscriptions (none: no push rows), recipient
    # count, release savepoint.
    expected = 11 if connection.vendor == "postgresql" else 13
    assert len(queries) == expected, [q["sql"][:80] for q in queries]


# The page and the API --------------------------------------------------------------------------

PAGE = "/preferences/messaging/"
FORM = "/preferences/messaging/quiet-hours/"
API = "/api/preferences/quiet-hours/"


def saved(user) -> tuple:
    row = UserMessaging.objects.filter(user=user).first() or UserMessaging(user=user)
    return (
        row.quiet_hours_enabled,
        row.quiet_hours_start.strftime("%H:%M"),
        row.quiet_hours_end.strftime("%H:%M"),
        row.quiet_hours_weekends,
    )


def test_the_page_shows_and_saves_quiet_hours(client, user):
    client.force_login(user)
    page = client.get(PAGE).content.decode()
    assert "Quiet hours" in page and 'name="quiet_start" value="22:00"' in page
    response = client.post(
        FORM, {"quiet_enabled": "on", "quiet_start": "21:30", "quiet_end": "06:45"}
    )
    assert response.status_code == 302 and response.url.endswith("#quiet-hours")
    assert saved(user) == (True, "21:30", "06:45", False)
    page = client.get(PAGE).content.decode()
    assert "Your quiet hours are saved." in page and 'value="21:30"' in page


@pytest.mark.parametrize(
    ("start", "end", "field", "text"),
    [
        ("22:00", "22:00", "end", "Must differ from the start"),
        ("25:00", "07:00", "start", "Must be a time as HH:MM"),
        ("22:00", "", "end", "Must be a time as HH:MM"),
        ("10pm", "07:00", "start", "Must be a time as HH:MM"),
    ],
)
def test_the_page_refuses_bad_times_says_why_and_changes_nothing(
    client, user, start, end, field, text
):
    client.force_login(user)
    before = saved(user)
    response = client.post(
        FORM,
        {"quiet_enabled": "on", "quiet_weekends": "on", "quiet_start": start, "quiet_end": end},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Your quiet hours were not saved" in page and text in page
    assert f'aria-describedby="quiet-{field}-error"' in page
    assert f'value="{start}"' in page  # what the user typed, to correct
    assert saved(user) == before


def test_the_api_reads_and_changes_quiet_hours(client, user):
    client.force_login(user)
    assert client.get(API).json() == {
        "enabled": False,
        "start": "22:00",
        "end": "07:00",
        "weekends": False,
        "timezone": "UTC",
        "quiet_until": None,
    }
    with time_machine.travel(NIGHT, tick=False):
        response = client.patch(
            API, {"enabled": True, "weekends": True}, content_type="application/json"
        )
    assert response.status_code == 200
    assert response.json()["quiet_until"] == MORNING.isoformat()
    assert saved(user) == (True, "22:00", "07:00", True)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"start": "07:00"}, {"end": "Must differ from the start"}),
        ({"start": "7"}, {"start": "Must be a time as HH:MM"}),
        ({"end": 700}, {"end": "Must be a time as HH:MM"}),
        ({"enabled": "yes"}, {"enabled": "Must be true or false."}),
        ({"enabled": True, "volume": 0}, {"volume": "Not a quiet-hours setting"}),
        ([{"enabled": True}], {"non_field_errors": "Send an object"}),
    ],
)
def test_the_api_answers_400_for_bad_input_and_changes_nothing(client, user, body, errors):
    client.force_login(user)
    before = saved(user)
    response = client.patch(API, body, content_type="application/json")
    assert response.status_code == 400
    got = response.json()["errors"]
    assert set(got) == set(errors)
    for name, text in errors.items():
        assert got[name].startswith(text)
    assert saved(user) == before


def test_the_api_needs_a_login(client, db):
    assert client.get(API).status_code in (401, 403)
