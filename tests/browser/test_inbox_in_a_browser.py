"""In Chromium: an alert arrives live and is dismissed, a task is accepted, a preference kept."""

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from alerts import handlers
from notifications import send
from notifications.factories import context_for

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def accept(monkeypatch):
    accepted = []
    monkeypatch.setattr(handlers, "_handlers", {})
    handlers.task_action("programs.extension_request", "accept")(
        lambda event, actor, comment: accepted.append((actor.username, comment))
    )
    handlers.task_action("programs.extension_request", "decline")(lambda *a: None)
    return accepted


def lee_with_a_task(page):
    """Lee, with an extension request to answer, logged in on a live dashboard."""
    lee = UserFactory(username="lee", full_name="Lee Learner")
    send(
        "programs.extension_request",
        [lee],
        context=context_for("programs.extension_request", program="Safety basics"),
    )
    log_in(page, "lee")
    expect(page.locator("body[data-live=on]")).to_have_count(1)
    return lee


def test_alerts_arrive_live_and_tasks_are_acted_on(page, asgi_server, accept):
    lee = lee_with_a_task(page)
    expect(page.locator("#block-alerts")).to_contain_text("You have no new alerts")
    expect(page.locator('[data-count="tasks"]')).to_have_text("1")

    # An alert sent while the page is open appears without a reload.
    asgi_server.run_as_request(
        send, "programs.due", [lee], context=context_for("programs.due", program="Fire drill")
    )
    expect(page.locator("#block-alerts")).to_contain_text("Fire drill")
    expect(page.locator('[data-count="alerts"]')).to_have_text("1")

    page.locator("#block-alerts").get_by_role("button", name="Dismiss:").click()
    expect(page.locator("#block-alerts")).to_contain_text("You have no new alerts")
    expect(page.locator('[data-count="alerts"]')).to_have_text("0")

    tasks = page.locator("#block-tasks")
    expect(tasks).to_contain_text("Safety basics")
    tasks.get_by_label("Comment (optional)").fill("Agreed")
    tasks.get_by_role("button", name="Accept").click()
    expect(tasks).to_contain_text("You have no open tasks")
    expect(page.locator('[data-count="tasks"]')).to_have_text("0")
    assert accept == [("lee", "Agreed")]


def test_a_click_just_as_a_live_refresh_lands_is_answered_in_the_page(page, asgi_server, accept):
    # A live refresh replaces the Tasks block just as someone presses one of its buttons: the
    # click lands on the new form at once, and it is answered in the page, not as a page load.
    lee_with_a_task(page)
    tasks = page.locator("#block-tasks")
    expect(tasks.locator(".item")).to_have_count(1)
    page.evaluate(
        """() => {
            window.samePage = true;
            document.addEventListener("htmx:afterSwap", function once(event) {
                if (event.target.id !== "block-tasks") return;
                document.removeEventListener("htmx:afterSwap", once);
                setTimeout(() => event.target.querySelector("button[value=decline]").click(), 0);
            });
            document.body.dispatchEvent(new CustomEvent("live:count-tasks"));
        }"""
    )
    expect(tasks).to_contain_text("You have no open tasks")
    expect(page.locator("#flash")).to_contain_text("Declined")
    assert page.evaluate("window.samePage === true"), "the click posted the form as a page load"


def test_a_preference_is_kept(page, asgi_server):
    UserFactory(username="lee", full_name="Lee Learner")
    log_in(page, "lee")
    page.locator(".user-menu summary").click()
    page.get_by_role("link", name="Messaging preferences").click()
    box = page.get_by_label("Program due, email, when logged off")
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status")).to_contain_text("saved")
    page.reload()
    expect(page.get_by_label("Program due, email, when logged off")).not_to_be_checked()
    expect(
        page.get_by_label("Program due, web, when logged in (Always sent: required by the site.)")
    ).to_be_disabled()


def test_why_did_i_get_this_from_an_alert_and_a_managers_task(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    send("programs.due", [lee], context=context_for("programs.due", program="Fire drill"))
    send(
        "programs.extension_request",
        [mia],
        context=context_for("programs.extension_request", program="Safety basics", learner="Lee"),
        audience="manager",
    )
    log_in(page, "lee")
    page.locator("#block-alerts").get_by_role("link", name="Why did I get this").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why did I get this?")
    expect(page.locator("main")).to_contain_text("Program due (Program management)")
    reasons = page.get_by_role("table")
    expect(reasons).to_contain_text("The site always sends this message in your notifications")
    expect(reasons).to_contain_text(f"Email to {lee.email}")
    page.get_by_role("link", name="Change what you get").click()
    expect(page).to_have_url(f"{asgi_server.url}/preferences/messaging/#programs.due:web:logged_in")

    page.context.clear_cookies()
    log_in(page, "mia")
    page.locator("#block-tasks").get_by_role("link", name="Why did I get this").click()
    expect(page.locator("main")).to_contain_text("You are the manager of Lee, so you get a copy.")
