"""Two people in two browsers: a message arrives live, and the counter drops once it is read."""

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from instant import actions
from instant.models import Privacy

from .conftest import log_in

pytestmark = pytest.mark.browser


def test_a_message_arrives_live_and_reading_it_clears_the_counter(browser, asgi_server):
    ann = UserFactory(username="ann", full_name="Ann Author")
    bob = UserFactory(username="bob", full_name="Bob Reader")
    actions.set_privacy(bob, Privacy.SITE)
    conversation, _ = actions.start_conversation(ann, [bob.pk])

    pages = []
    for username in ("ann", "bob"):
        context = browser.new_context(base_url=asgi_server.url)
        page = context.new_page()
        page.set_default_timeout(10_000)
        log_in(page, username)
        pages.append(page)
    ann_page, bob_page = pages
    expect(bob_page.locator("body[data-live=on]")).to_have_count(1)
    expect(bob_page.locator('[data-count="messages"]')).to_have_text("0")

    ann_page.goto(f"/messages/{conversation.pk}/")
    box = ann_page.get_by_label("Message", exact=True)
    box.fill("Lunch at noon?")
    box.press("Enter")
    expect(ann_page.locator("#thread")).to_contain_text("Lunch at noon?")
    expect(box).to_have_value("")

    # Bob, on his dashboard, sees it without reloading.
    expect(bob_page.locator('[data-count="messages"]')).to_have_text("1")
    expect(bob_page.locator("#block-messages")).to_contain_text("Lunch at noon?")

    bob_page.locator("#block-messages").get_by_role("link", name="Ann Author").click()
    expect(bob_page.locator("#thread")).to_contain_text("Lunch at noon?")
    expect(bob_page.locator('[data-count="messages"]')).to_have_text("0")
    # Ann sees that Bob has read it.
    expect(ann_page.locator("#thread .seen")).to_have_count(1)
