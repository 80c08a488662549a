"""In Chromium: a learner books a seminar session that needs approval; the manager approves it
from the Tasks block; the learner sees the confirmation alert."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from features.job_assignments.factories import JobAssignmentFactory
from features.seminars.models import Booking, Seminar, Session

from .conftest import log_in, log_out

pytestmark = pytest.mark.browser

# Each step below waits for a server round trip that sends mail (Celery runs eagerly): allow
# more than expect()'s 5 seconds on a busy machine.
SLOW = 20_000


def test_a_booking_that_needs_approval_is_approved_from_the_tasks_block(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    JobAssignmentFactory(user=lee, manager=mia)
    seminar = Seminar.objects.create(name="Fire safety workshop")
    start = timezone.now() + timedelta(days=7)
    Session.objects.create(
        seminar=seminar,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        room="Training room 2",
        capacity=8,
        needs_approval=True,
    )

    log_in(page, "lee")
    page.goto(f"/seminars/{seminar.pk}/")
    page.get_by_label("Note for your manager (optional)").fill("For my fire warden role")
    page.get_by_role("button", name="Book").click()
    expect(page.get_by_role("status")).to_contain_text(
        "sent to your manager for approval", timeout=SLOW
    )
    expect(page.locator("tbody")).to_contain_text("Awaiting approval")
    log_out(page)

    log_in(page, "mia")
    tasks = page.locator("#block-tasks")
    expect(tasks).to_contain_text("Lee Learner asks to attend Fire safety workshop", timeout=SLOW)
    tasks.get_by_label("Comment (optional)").fill("Enjoy it")
    tasks.get_by_role("button", name="Approve").click()
    expect(tasks).to_contain_text("You have no open tasks", timeout=SLOW)
    assert Booking.objects.get().status == Booking.Status.CONFIRMED
    log_out(page)

    log_in(page, "lee")
    expect(page.locator("#block-alerts")).to_contain_text(
        "Booking confirmed: Fire safety workshop", timeout=SLOW
    )
    page.goto("/seminars/bookings/")
    expect(page.locator("tbody")).to_contain_text("Booked")
