"""In Chromium: the messaging preferences page as a learner and as a site admin uses it: only
the types they can receive, grouped by feature and collapsible, a filter box, all off."""

import pytest
from playwright.sync_api import expect

from accounts.factories import AdminFactory, UserFactory
from notifications import catalogue
from notifications.models import Preference
from notifications.preferences import user_audiences, visible_keys

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_learner_sees_their_types_filters_collapses_and_turns_a_feature_off(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    shown = len(visible_keys(user_audiences(lee)))
    log_in(page, "lee")
    page.goto("/preferences/messaging/")

    rows = page.locator("tr[data-pref-row]")
    expect(rows).to_have_count(shown)
    expect(page.get_by_text("Important errors with the site")).to_have_count(0)
    expect(page.get_by_text("Backup notifications")).to_have_count(0)
    count = page.locator("[data-pref-count]")
    expect(count).to_have_text(f"{shown} message types shown")

    # The filter box narrows the list and says how many are left.
    page.get_by_label("Find a message type").fill("quiz")
    visible = page.locator("tr[data-pref-row]:visible")
    expect(visible).to_have_count(2)
    expect(count).to_have_text("2 message types shown")
    expect(page.get_by_role("heading", name="Program management")).to_be_hidden()
    page.get_by_label("Find a message type").fill("")
    expect(visible).to_have_count(shown)

    # A group collapses and opens again from its summary.
    programs = page.locator("details#feature-programs")
    due = programs.get_by_role("rowheader", name="Program due")
    expect(due).to_be_visible()
    programs.locator("summary").click()
    expect(due).to_be_hidden()
    programs.locator("summary").click()
    expect(due).to_be_visible()

    # All off for the programs' email: each of its choosable cells is unticked, and saved.
    programs.get_by_role("button", name="All off for Program management, by email").click()
    expect(page.locator(".flash-success")).to_contain_text(
        "Program management by email:", timeout=10_000
    )
    programs = page.locator("details#feature-programs")
    expect(programs.locator('input[name$=":email:logged_off"]:checked')).to_have_count(0)
    expect(programs.locator('input[name$=":web:logged_in"]:checked')).not_to_have_count(0)
    program_keys = {t.key for t in catalogue.all_types() if t.feature == "programs"}
    saved = set(
        Preference.objects.filter(user=lee, output="email").values_list(
            "message_type__key", flat=True
        )
    )
    assert saved == program_keys & visible_keys(user_audiences(lee))


def test_an_admin_sees_the_site_administration_types(page):
    AdminFactory(username="ada")
    log_in(page, "ada")
    page.goto("/preferences/messaging/")
    admin = page.locator("details#feature-site_admin")
    expect(admin.get_by_role("heading", name="Admin")).to_be_visible()
    expect(admin.get_by_role("rowheader", name="Important errors with the site")).to_be_visible()
    page.get_by_label("Find a message type").fill("backup")
    expect(page.locator("tr[data-pref-row]:visible")).to_have_count(1)
    expect(page.get_by_role("rowheader", name="Backup notifications")).to_be_visible()
