"""In Chromium: a learner sets quiet hours on the preferences page, gets a clear error for a
range that is no range, and an email sent in those hours waits while the web alert arrives."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from notifications import send
from notifications.factories import context_for
from notifications.models import EmailDelivery, MessageType, Preference, UserMessaging

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_a_learner_sets_quiet_hours_and_a_bad_range_changes_nothing(page):
    lee = UserFactory(username="lee", full_name="Lee Learner", timezone="Europe/Paris")
    log_in(page, "lee")
    page.goto("/preferences/messaging/")
    section = page.locator("#quiet-hours")
    expect(section.get_by_role("heading", name="Quiet hours")).to_be_visible()
    expect(section).to_contain_text("Europe/Paris")

    # The same time twice is no range: a clear error, the inputs marked, nothing saved.
    section.get_by_label("Hold email and push notifications during quiet hours").check()
    section.get_by_label("From").fill("22:00")
    section.get_by_label("To").fill("22:00")
    section.get_by_role("button", name="Save quiet hours").click()
    errors = page.locator("#quiet-errors")
    expect(errors).to_be_visible()
    expect(errors).to_have_attribute("role", "alert")
    assert not UserMessaging.objects.filter(user=lee, quiet_hours_enabled=True).exists()
    assert_accessible(page, "preferences with a quiet-hours error")

    # A real overnight range with the weekend is saved and shown back.
    section = page.locator("#quiet-hours")
    section.get_by_label("Hold email and push notifications during quiet hours").check()
    section.get_by_label("From").fill("22:00")
    section.get_by_label("To").fill("07:30")
    section.get_by_label("All weekend (Saturday and Sunday)").check()
    section.get_by_role("button", name="Save quiet hours").click()
    expect(page.locator("#quiet-errors")).to_have_count(0)
    section = page.locator("#quiet-hours")
    expect(section.get_by_label("From")).to_have_value("22:00")
    expect(section.get_by_label("To")).to_have_value("07:30")
    expect(section.get_by_label("All weekend (Saturday and Sunday)")).to_be_checked()
    saved = UserMessaging.objects.get(user=lee)
    assert saved.quiet_hours_enabled and saved.quiet_hours_weekends
    assert (saved.quiet_hours_start, saved.quiet_hours_end) == (
        datetime.time(22, 0),
        datetime.time(7, 30),
    )

    # Turned off again from the same form.
    section.get_by_label("Hold email and push notifications during quiet hours").uncheck()
    section.get_by_role("button", name="Save quiet hours").click()
    expect(
        page.locator("#quiet-hours").get_by_label(
            "Hold email and push notifications during quiet hours"
        )
    ).not_to_be_checked()
    saved.refresh_from_db()
    assert not saved.quiet_hours_enabled
    assert not EmailDelivery.objects.exists()


def test_in_quiet_hours_the_alert_arrives_live_and_its_email_waits(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner", timezone="Asia/Tokyo")
    Preference.objects.create(
        user=lee,
        message_type=MessageType.objects.get(key="programs.due"),
        output="email",
        logged_in=True,
        logged_off=True,
    )
    log_in(page, "lee")
    page.goto("/preferences/messaging/")
    # Quiet from an hour ago to an hour from now, on the learner's own clock.
    local = timezone.now().astimezone(zoneinfo.ZoneInfo("Asia/Tokyo"))
    start = (local - datetime.timedelta(hours=1)).strftime("%H:%M")
    end = (local + datetime.timedelta(hours=1)).strftime("%H:%M")
    section = page.locator("#quiet-hours")
    section.get_by_label("Hold email and push notifications during quiet hours").check()
    section.get_by_label("From").fill(start)
    section.get_by_label("To").fill(end)
    section.get_by_role("button", name="Save quiet hours").click()
    expect(page.locator("#quiet-hours")).to_contain_text(
        "Quiet now: email and push notifications wait until"
    )

    page.goto("/")
    expect(page.locator("body[data-live=on]")).to_have_count(1)
    asgi_server.run_as_request(
        send, "programs.due", [lee], context=context_for("programs.due", program="Fire drill")
    )
    expect(page.locator("#block-alerts")).to_contain_text("Fire drill")
    email = EmailDelivery.objects.get(user=lee)
    assert email.status == EmailDelivery.Status.PENDING
    waits = email.next_attempt_at - timezone.now()
    assert datetime.timedelta(minutes=55) < waits <= datetime.timedelta(hours=1)
