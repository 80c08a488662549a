"""In Chromium: a learner books a seminar session while logged in and gets the confirmation
email with its calendar invitation; the same invitation downloads from My bookings."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from features.seminars.models import Seminar, Session

from .conftest import log_in

pytestmark = pytest.mark.browser

SLOW = 20_000  # booking sends mail in the request (Celery runs eagerly)


def test_a_learner_books_online_and_gets_the_calendar_invitation_by_email(page, asgi_server):
    UserFactory(username="lee", full_name="Lee Learner", email="lee@example.com")
    seminar = Seminar.objects.create(name="Fire safety workshop")
    start = timezone.now() + timedelta(days=7)
    session = Session.objects.create(
        seminar=seminar, starts_at=start, ends_at=start + timedelta(hours=3), capacity=8
    )

    log_in(page, "lee")
    page.goto(f"/seminars/{seminar.pk}/")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_contain_text(
        "A calendar invitation is on its way by email", timeout=SLOW
    )
    [email] = [m for m in mail.outbox if m.to == ["lee@example.com"]]
    assert email.subject.startswith("Booking confirmed: Fire safety workshop")
    [invite] = [a for a in email.attachments if a[0].endswith(".ics")]
    assert "METHOD:REQUEST" in invite[1]
    assert f"UID:seminar-session-{session.pk}-user-" in invite[1]

    page.goto("/seminars/bookings/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    assert download.value.suggested_filename == f"seminar-{session.pk}.ics"
    assert "METHOD:REQUEST" in Path(download.value.path()).read_text()
