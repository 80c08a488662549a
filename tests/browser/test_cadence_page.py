"""In Chromium: a learner sets how often email comes, for all features and for one, on the
messaging preferences page; the section passes axe, before and after a refused value."""

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from notifications.models import EmailCadence

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def chosen(user) -> dict:
    return dict(EmailCadence.objects.filter(user=user).values_list("feature", "cadence"))


def test_a_learner_chooses_a_daily_digest_and_a_weekly_one_for_programs(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    log_in(page, "lee")
    page.goto("/preferences/messaging/")
    section = page.locator("section#email-frequency")
    expect(section.get_by_role("heading", name="Email frequency")).to_be_visible()
    everything = section.get_by_label("All features")
    expect(everything).to_have_value("")  # the site's default
    expect(everything.locator("option:checked")).to_have_text("Site default (Immediately)")
    assert_accessible(page, "preferences page with the email frequency")

    everything.select_option("daily")
    section.get_by_label("Program management").select_option("weekly")
    section.get_by_role("button", name="Save email frequency").click()
    expect(page.locator(".flash-success")).to_contain_text("Your email frequency is saved.")
    assert page.url.endswith("#email-frequency")
    assert chosen(lee) == {"": "daily", "programs": "weekly"}
    section = page.locator("section#email-frequency")
    expect(section.get_by_label("All features")).to_have_value("daily")
    expect(section.get_by_label("Program management")).to_have_value("weekly")

    # Back to the default for programs, saved from the keyboard.
    section.get_by_label("Program management").select_option("")
    section.get_by_role("button", name="Save email frequency").press("Enter")
    expect(page.locator(".flash-success")).to_contain_text("Your email frequency is saved.")
    assert chosen(lee) == {"": "daily"}


def test_a_forged_value_is_refused_with_the_reason_and_changes_nothing(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    EmailCadence.objects.create(user=lee, feature="", cadence="weekly")
    log_in(page, "lee")
    page.goto("/preferences/messaging/")
    # A value no option offers (as a stale or forged form would send).
    page.eval_on_selector("#cadence-default option[value='daily']", "o => o.value = 'hourly'")
    page.locator("#cadence-default").select_option("hourly")
    page.get_by_role("button", name="Save email frequency").click()
    errors = page.locator("#cadence-errors")
    expect(errors).to_contain_text("Your email frequency was not saved")
    expect(errors).to_contain_text("Must be one of")
    expect(page.locator("#cadence-default")).to_have_attribute("aria-invalid", "true")
    assert chosen(lee) == {"": "weekly"}
    assert_accessible(page, "preferences page with a refused email frequency")
