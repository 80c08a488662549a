"""The seminar emails that carry a calendar invitation reach the learner whether or not they are
logged in, the page promises the email only when one goes, and the invitation can be had from
My bookings as well."""

import importlib

import pytest
from django.apps import apps
from django.core import mail

from features.seminars import actions
from features.seminars.models import Booking
from notifications import catalogue, presence
from notifications.models import MessageType, OutputSetting, Preference
from notifications.preferences import emails

from .conftest import ics_fields, ics_of, make_session

CONFIRMATION = "seminars.booking_confirmation"


@pytest.fixture
def logged_in(client, lee):
    client.force_login(lee)
    return client


def prefer(user, key, *, logged_in, logged_off):
    Preference.objects.create(
        user=user,
        message_type=MessageType.objects.get(key=key),
        output="email",
        logged_in=logged_in,
        logged_off=logged_off,
    )


def test_booking_from_the_page_emails_the_invitation_to_a_learner_who_is_logged_in(
    logged_in, session, lee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(f"/seminars/sessions/{session.pk}/book", follow=True)
    assert lee.pk in presence.logged_in([lee.pk])  # the request itself made them active
    assert "A calendar invitation is on its way by email" in response.content.decode()
    [email] = mail.outbox
    assert email.to == ["lee@example.com"]
    assert ics_fields(ics_of(email))["METHOD"] == "REQUEST"


def test_a_learner_who_wants_email_only_when_away_still_gets_the_invitation(
    session, lee, django_capture_on_commit_callbacks
):
    prefer(lee, CONFIRMATION, logged_in=False, logged_off=True)
    presence.touch(lee.pk)
    with django_capture_on_commit_callbacks(execute=True):
        actions.book(session, lee)
    [email] = mail.outbox
    assert ics_of(email)


def test_cancelling_while_logged_in_sends_the_cancel_invitation(
    session, lee, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = actions.book(session, lee)
    mail.outbox.clear()
    presence.touch(lee.pk)
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_booking(booking, lee)
    [email] = mail.outbox
    assert ics_fields(ics_of(email))["METHOD"] == "CANCEL"


def test_with_the_email_turned_off_the_page_says_so_and_offers_the_invitation(
    logged_in, session, lee, django_capture_on_commit_callbacks
):
    prefer(lee, CONFIRMATION, logged_in=False, logged_off=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in.post(f"/seminars/sessions/{session.pk}/book", follow=True)
    html = response.content.decode()
    assert "on its way by email" not in html
    assert "Booking confirmations are not emailed to you" in html
    assert mail.outbox == []
    booking = Booking.objects.get()
    page = logged_in.get("/seminars/bookings/").content.decode()
    assert f"/seminars/bookings/{booking.pk}/calendar.ics" in page
    download = logged_in.get(f"/seminars/bookings/{booking.pk}/calendar.ics")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/calendar")
    fields = ics_fields(download.content.decode())
    assert fields["UID"].startswith(f"seminar-session-{session.pk}-user-{lee.pk}@")
    assert fields["METHOD"] == "REQUEST"


def test_the_download_has_the_sequence_of_the_last_email(session, lee, logged_in):
    booking = actions.book(session, lee)
    booking.refresh_from_db()
    assert booking.ics_sequence == 1  # the confirmation carried SEQUENCE 0
    ics = logged_in.get(f"/seminars/bookings/{booking.pk}/calendar.ics").content.decode()
    assert ics_fields(ics)["SEQUENCE"] == "0"


def test_only_the_learner_downloads_a_confirmed_booking_invitation(client, seminar, lee, mia):
    booking = actions.book(make_session(seminar, capacity=2), lee)
    client.force_login(mia)
    assert client.get(f"/seminars/bookings/{booking.pk}/calendar.ics").status_code == 404
    client.force_login(lee)
    actions.cancel_booking(booking, lee)
    assert client.get(f"/seminars/bookings/{booking.pk}/calendar.ics").status_code == 404
    client.logout()
    response = client.get(f"/seminars/bookings/{booking.pk}/calendar.ics")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_every_seminar_type_emails_logged_in_and_logged_off_by_default(db):
    types = [t for t in catalogue.all_types() if t.feature == "seminars"]
    assert len(types) == 11
    for t in types:
        email = OutputSetting.objects.get(message_type__key=t.key, output="email")
        assert (email.logged_in, email.logged_off) == (True, True), t.key
    keeps = {t.key for t in types if t.keeps}
    assert keeps == {
        "seminars.booking_confirmation",
        "seminars.booking_cancellation",
        "seminars.booking_datetime_changed",
    }


def test_the_migration_moves_only_untouched_old_defaults(db):
    migration = importlib.import_module("features.seminars.migrations.0003_email_when_logged_in")
    settings = OutputSetting.objects.filter(
        message_type__key__startswith="seminars.", output="email"
    )
    settings.update(logged_in=False, logged_off=True)
    changed = settings.get(message_type__key="seminars.booking_reminder")
    changed.logged_off = False  # an admin's own choice
    changed.save()
    forums = OutputSetting.objects.get(message_type__key="forums.post", output="email")
    before = (forums.logged_in, forums.logged_off)
    migration.email_when_logged_in(apps, None)
    assert set(settings.exclude(pk=changed.pk).values_list("logged_in", "logged_off")) == {
        (True, True)
    }
    changed.refresh_from_db()
    assert (changed.logged_in, changed.logged_off) == (False, False)
    forums.refresh_from_db()
    assert (forums.logged_in, forums.logged_off) == before


def test_the_preferences_page_shows_one_choice_for_email_that_carries_an_invitation(logged_in, lee):
    html = logged_in.get("/preferences/messaging/").content.decode()
    assert "It carries a calendar invitation, so it is emailed whether you are logged in" in html
    assert f"{CONFIRMATION}:email:logged_off" not in html
    assert f"{CONFIRMATION}:email:logged_in" in html
    # Unticking the one box turns the email off in both states.
    form = {
        f"{row}": "on"
        for row in (
            f"{CONFIRMATION}:web:logged_in",
            f"{CONFIRMATION}:web:logged_off",
        )
    }
    logged_in.post("/preferences/messaging/", form)
    pref = Preference.objects.get(user=lee, message_type__key=CONFIRMATION, output="email")
    assert (pref.logged_in, pref.logged_off) == (False, False)


def test_the_api_keeps_the_one_choice_and_refuses_two(logged_in, lee):
    row = next(
        r
        for r in logged_in.get("/api/preferences/").json()
        if r["key"] == CONFIRMATION and r["output"] == "email"
    )
    assert row["keeps"] == "a calendar invitation"
    assert (row["logged_in"], row["logged_off"]) == (True, True)
    split = [{"key": CONFIRMATION, "output": "email", "logged_in": False, "logged_off": True}]
    response = logged_in.patch("/api/preferences/", split, content_type="application/json")
    assert response.status_code == 400
    assert "must be equal" in response.json()["errors"]["0"]["logged_off"]
    assert not Preference.objects.filter(user=lee).exists()
    off = [{"key": CONFIRMATION, "output": "email", "logged_in": False, "logged_off": False}]
    response = logged_in.patch("/api/preferences/", off, content_type="application/json")
    assert response.status_code == 200
    assert not emails(lee, CONFIRMATION)
