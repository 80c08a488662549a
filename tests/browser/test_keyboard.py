"""In Chromium, by keyboard alone (Tab, Shift+Tab, Enter, Space): the actions of the Alerts and
Tasks blocks, the preferences grid and messaging; focus is visible, and after an htmx swap it
lands on a sensible element, never on <body>. And the page's one live region: a new alert
arriving live is said once there, while the lists are not live regions."""

import re

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from alerts.models import Alert
from instant import actions as messaging
from instant.models import Message, Privacy
from notifications import send
from notifications.factories import context_for
from notifications.models import Preference

from .conftest import log_in
from .test_inbox_in_a_browser import accept  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
        tag: el.tagName.toLowerCase(),
        text: (el.getAttribute("aria-label") || el.textContent || el.value || "").trim(),
        name: el.getAttribute("name"), value: el.getAttribute("value"), id: el.id,
        block: el.closest("section.block") ? el.closest("section.block").id : null,
        visible: (style.outlineStyle !== "none" && style.outlineWidth !== "0px")
                 || style.boxShadow !== "none",
    };
}"""


def focused(page):
    return page.evaluate(FOCUSED)


def tab_to(page, matches, limit=400, key="Tab"):
    """Presses Tab (or Shift+Tab) until the focused element satisfies `matches`; returns it."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now and matches(now):
            assert now["visible"], f"focus is not visible on {now}"
            return now
    raise AssertionError(f"{key} never reached the element; last focused: {focused(page)}")


def assert_focus_kept(page, where):
    """After an htmx swap: the focus is on an element (not <body>), visibly."""
    page.wait_for_function("document.activeElement && document.activeElement !== document.body")
    now = focused(page)
    assert now and now["visible"], f"{where}: focus lost or not visible: {now}"
    return now


def test_the_alerts_block_by_keyboard(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    for program in ("Fire drill", "Budget"):
        send("programs.due", [lee], context=context_for("programs.due", program=program))
    log_in(page, "lee")
    expect(page.locator("body[data-live=on]")).to_have_count(1)
    block = page.locator("#block-alerts")
    expect(block.locator(".item")).to_have_count(2)

    # Shift+Tab back from the second item's Dismiss to the first's, then dismiss it.
    first, second = (s.strip() for s in block.locator(".item .subject").all_text_contents())
    tab_to(page, lambda f: f["text"] == f"Dismiss: {second}")
    tab_to(page, lambda f: f["text"].startswith("Dismiss: "), key="Shift+Tab")
    assert focused(page)["text"] == f"Dismiss: {first}"
    page.keyboard.press("Enter")
    expect(block.locator(".item")).to_have_count(1)
    now = assert_focus_kept(page, "after Dismiss")
    # On the remaining alert's Dismiss, ready for the next one.
    assert now["block"] == "block-alerts" and now["text"] == f"Dismiss: {second}", now
    # The counter's push refreshes the block once more: the focus stays put through it too.
    expect(page.locator('[data-count="alerts"]')).to_have_text("1")
    page.wait_for_timeout(300)
    assert focused(page)["text"] == f"Dismiss: {second}"

    # Its menu opens with Enter, and Space archives it.
    tab_to(page, lambda f: f["tag"] == "summary" and f["block"] == "block-alerts")
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["text"] == "Archive")
    page.keyboard.press("Space")
    expect(block).to_contain_text("You have no new alerts")
    now = assert_focus_kept(page, "after Archive")
    assert now["block"] == "block-alerts" and now["tag"] == "h2", now
    expect(page.locator('[data-count="alerts"]')).to_have_text("0")
    dismissed, archived = (
        Alert.objects.get(recipient=lee, event__context__program=subject.split(" is due")[0])
        for subject in (first, second)
    )
    assert dismissed.read_at is not None
    assert archived.archived_at is not None


def test_the_tasks_block_by_keyboard(page, asgi_server, accept):  # noqa: F811
    lee = UserFactory(username="lee", full_name="Lee Learner")
    for program in ("Safety basics", "First aid"):
        send(
            "programs.extension_request",
            [lee],
            context=context_for("programs.extension_request", program=program),
        )
    log_in(page, "lee")
    tasks = page.locator("#block-tasks")
    expect(tasks.locator(".item")).to_have_count(2)

    tab_to(page, lambda f: f["tag"] == "input" and f["block"] == "block-tasks")
    page.keyboard.type("Agreed")
    tab_to(page, lambda f: f["text"] == "Accept")
    page.keyboard.press("Enter")
    expect(tasks.locator(".item")).to_have_count(1)
    now = assert_focus_kept(page, "after Accept")
    assert now["block"] == "block-tasks", now
    assert accept == [("lee", "Agreed")]

    tab_to(page, lambda f: f["text"] == "Decline" and f["block"] == "block-tasks")
    page.keyboard.press("Space")
    expect(tasks).to_contain_text("You have no open tasks")
    now = assert_focus_kept(page, "after Decline")
    assert now["block"] == "block-tasks" and now["tag"] == "h2", now
    expect(page.locator('[data-count="tasks"]')).to_have_text("0")


def test_the_preferences_grid_by_keyboard(page):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    log_in(page, "lee")
    page.goto("/preferences/messaging/")
    box = page.get_by_label("Program due, email, when logged off")
    expect(box).to_be_checked()
    tab_to(page, lambda f: f["id"] == "programs.due:email:logged_off")
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    tab_to(page, lambda f: f["text"] == "Save preferences")
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("saved")
    expect(page.get_by_label("Program due, email, when logged off")).not_to_be_checked()
    assert Preference.objects.filter(
        user=lee, message_type__key="programs.due", output="email"
    ).exists()


def test_sending_a_message_by_keyboard(page):
    ann = UserFactory(username="ann", full_name="Ann Author")
    bob = UserFactory(username="bob", full_name="Bob Reader")
    messaging.set_privacy(bob, Privacy.SITE)
    messaging.start_conversation(ann, [bob.pk])
    log_in(page, "ann")
    page.goto("/messages/")
    tab_to(page, lambda f: f["tag"] == "a" and "Bob Reader" in f["text"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/messages/*/")
    tab_to(page, lambda f: f["id"] == "body")
    page.keyboard.type("Lunch at noon?")
    tab_to(page, lambda f: f["text"] == "Send")
    page.keyboard.press("Enter")
    expect(page.locator("#thread")).to_contain_text("Lunch at noon?")
    now = assert_focus_kept(page, "after Send")
    assert now["text"] == "Send", now
    expect(page.get_by_label("Message", exact=True)).to_have_value("")
    assert Message.objects.get().body == "Lunch at noon?"


def test_a_new_alert_is_said_once_in_the_one_live_region(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    log_in(page, "lee")
    expect(page.locator("body[data-live=on]")).to_have_count(1)
    announcer = page.locator("#live-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_text("")
    # The page's one live region: not the lists, nor the counters.
    expect(page.locator("[aria-live]")).to_have_count(1)
    page.evaluate(
        """() => {
            window.said = [];
            new MutationObserver(() => window.said.push(
                document.getElementById("live-announcer").textContent
            )).observe(document.getElementById("live-announcer"),
                       {childList: true, characterData: true, subtree: true});
        }"""
    )

    asgi_server.run_as_request(
        send, "programs.due", [lee], context=context_for("programs.due", program="Fire drill")
    )
    block = page.locator("#block-alerts")
    expect(block).to_contain_text("Fire drill")
    expect(announcer).to_have_text(re.compile(r"^New alert: Fire drill is due on .+"))
    expect(page.locator('[data-count="alerts"]')).to_have_text("1")
    page.wait_for_timeout(500)  # any second write (the count push, the block's refresh) lands
    said = page.evaluate("window.said")
    assert len(said) == 1 and said[0] == announcer.text_content(), said
    expect(block.locator("[aria-live]")).to_have_count(0)
    expect(page.locator("[aria-live]")).to_have_count(1)
