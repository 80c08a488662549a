from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from accounts.factories import UserFactory
from features.seminars import ical
from features.seminars.models import Seminar, Session

from .conftest import ics_fields


def _session(db_seminar=None, **fields):
    seminar = db_seminar or Seminar.objects.create(name="Fire safety; basics, part 1")
    start = datetime(2030, 3, 4, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    return Session.objects.create(
        seminar=seminar,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        room=fields.pop("room", "Room 1"),
        **fields,
    )


def test_it_writes_a_valid_request_with_utc_times_and_a_stable_uid(db, settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "learn.example.com"
    session = _session()
    lee = UserFactory(username="lee", full_name='Lee "Lucky" Learner')
    text = ical.invitation(
        method=ical.REQUEST,
        session=session,
        user=lee,
        sequence=0,
        now=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = text.split("\r\n")
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Learning platform//Seminars//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
    ]
    fields = ics_fields(text)
    assert fields["BEGIN"] == ["VCALENDAR", "VEVENT"]
    assert fields["END"] == ["VEVENT", "VCALENDAR"]
    assert fields["UID"] == f"seminar-session-{session.pk}-user-{lee.pk}@learn.example.com"
    assert fields["SEQUENCE"] == "0"
    # 9:30 in Paris in March is 8:30 UTC.
    assert fields["DTSTART"] == "20300304T083000Z"
    assert fields["DTEND"] == "20300304T103000Z"
    assert fields["DTSTAMP"] == "20300101T000000Z"
    assert fields["SUMMARY"] == "Fire safety\\; basics\\, part 1"
    assert fields["LOCATION"] == "Room 1"
    assert fields["STATUS"] == "CONFIRMED"
    assert "ATTENDEE;CN=\"Lee 'Lucky' Learner\";ROLE=REQ-PARTICIPANT" in text
    assert text.count("BEGIN:VEVENT") == 1
    again = ical.invitation(method=ical.REQUEST, session=session, user=lee, sequence=1)
    assert ics_fields(again)["UID"] == fields["UID"]
    other = ical.invitation(method=ical.REQUEST, session=session, user=UserFactory(), sequence=0)
    assert ics_fields(other)["UID"] != fields["UID"]


def test_a_cancellation_says_cancel(db):
    session = _session()
    text = ical.invitation(method=ical.CANCEL, session=session, user=UserFactory(), sequence=3)
    fields = ics_fields(text)
    assert fields["METHOD"] == "CANCEL"
    assert fields["STATUS"] == "CANCELLED"
    assert fields["SEQUENCE"] == "3"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters(db):
    seminar = Seminar.objects.create(name="Sécurité incendie " * 10, description="Ligne 1\nLigne 2")
    text = ical.invitation(
        method=ical.REQUEST, session=_session(seminar), user=UserFactory(), sequence=0
    )
    for line in text.split("\r\n"):
        assert len(line.encode()) <= 75
    fields = ics_fields(text)
    assert fields["SUMMARY"] == ("Sécurité incendie " * 10)
    assert fields["DESCRIPTION"] == "Ligne 1\\nLigne 2"
    assert "LOCATION" in fields


def test_a_session_without_a_room_has_no_location(db):
    text = ical.invitation(
        method=ical.REQUEST, session=_session(room=""), user=UserFactory(), sequence=0
    )
    assert "LOCATION" not in ics_fields(text)
