from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import UserFactory
from features.job_assignments.factories import JobAssignmentFactory
from features.seminars.models import Seminar, Session


@pytest.fixture
def mia(db):
    return UserFactory(username="mia", full_name="Mia Manager")


@pytest.fixture
def lee(db, mia):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    JobAssignmentFactory(user=lee, manager=mia)
    return lee


@pytest.fixture
def tara(db):
    return UserFactory(username="tara", full_name="Tara Trainer")


@pytest.fixture
def seminar(db):
    return Seminar.objects.create(name="Fire safety")


def make_session(seminar, *, days=10, **fields):
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    fields.setdefault("room", "Room 1")
    return Session.objects.create(
        seminar=seminar, starts_at=start, ends_at=start + timedelta(hours=2), **fields
    )


@pytest.fixture
def session(seminar):
    return make_session(seminar, capacity=2)


@pytest.fixture
def approval_session(seminar):
    return make_session(seminar, capacity=2, needs_approval=True)


def told(key: str) -> list[str]:
    """Who received `key` in their web inbox, by username, sorted."""
    from alerts.models import Alert

    return sorted(Alert.objects.filter(key=key).values_list("recipient__username", flat=True))


def ics_of(message) -> str:
    """The calendar attachment of an email, or "" if it has none."""
    for attachment in message.attachments:
        if attachment[0].endswith(".ics"):
            assert attachment[2] == "text/calendar"
            return attachment[1]
    return ""


def ics_fields(text: str) -> dict[str, str]:
    """The properties of an .ics text (unfolded), last value wins; BEGIN/END as lists."""
    unfolded = text.replace("\r\n ", "")
    fields: dict = {"BEGIN": [], "END": []}
    for line in unfolded.split("\r\n"):
        if not line:
            continue
        name, _, value = line.partition(":")
        key = name.split(";")[0]
        if key in ("BEGIN", "END"):
            fields[key].append(value)
        else:
            fields[key] = value
    return fields
