"""In Chromium, by keyboard: snooze an alert from the Alerts block, see it come back live when
its time comes; archive and restore from /alerts/; mark a read alert unread."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from alerts import actions
from alerts.models import Alert
from notifications import send
from notifications.factories import context_for

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_snooze_from_the_block_and_it_comes_back_live(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    send("programs.due", [lee], context=context_for("programs.due", program="Fire drill"))
    log_in(page, "lee")
    expect(page.locator("body[data-live=on]")).to_have_count(1)
    block = page.locator("#block-alerts")
    expect(block).to_contain_text("Fire drill")
    expect(page.locator('[data-count="alerts"]')).to_have_text("1")

    # Keyboard only: open the item's menu and snooze it for an hour.
    summary = block.locator(".item-menu summary")
    summary.focus()
    page.keyboard.press("Enter")
    hour = block.get_by_role("button", name="For an hour")
    expect(hour).to_be_visible()
    hour.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Snoozed until")
    expect(block).to_contain_text("You have no new alerts")
    expect(page.locator('[data-count="alerts"]')).to_have_text("0")

    # Its time comes: the job brings it back, pushed to the open page as new.
    asgi_server.run_as_request(actions.wake_snoozed, timezone.now() + timedelta(hours=2))
    expect(block).to_contain_text("Fire drill")
    expect(page.locator('[data-count="alerts"]')).to_have_text("1")


def test_archive_restore_and_mark_unread_in_the_list(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    send("programs.due", [lee], context=context_for("programs.due", program="Fire drill"))
    send("programs.due", [lee], context=context_for("programs.due", program="Budget"))
    Alert.objects.filter(recipient=lee, event__context__program="Fire drill").update(
        read_at=timezone.now()
    )
    log_in(page, "lee")
    page.goto("/alerts/")
    page.get_by_label("Fire drill", exact=False).check()
    page.get_by_role("button", name="Mark selected unread").click()
    expect(page.get_by_role("status")).to_contain_text("Marked unread")
    expect(page.locator('[data-count="alerts"]')).to_have_text("2")

    page.get_by_label("Budget", exact=False).check()
    page.get_by_role("button", name="Archive selected").click()
    expect(page.get_by_role("status")).to_contain_text("Archived")
    expect(page.locator("table")).not_to_contain_text("Budget")
    expect(page.locator('[data-count="alerts"]')).to_have_text("1")

    page.get_by_role("link", name="Archived").click()
    expect(page.get_by_role("link", name="Archived")).to_have_attribute("aria-current", "page")
    expect(page.locator("table")).to_contain_text("Budget")
    page.get_by_label("Budget", exact=False).check()
    page.get_by_role("button", name="Move selected to inbox").click()
    expect(page.get_by_role("status")).to_contain_text("Moved back to your inbox")
    page.get_by_role("link", name="Inbox").click()
    expect(page.locator("table")).to_contain_text("Budget")
    expect(page.locator('[data-count="alerts"]')).to_have_text("2")
