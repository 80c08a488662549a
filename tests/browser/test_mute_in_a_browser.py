"""In Chromium: a learner mutes a course from an alert's "More" menu, confirms muting a
program from the link its email carries, sees both on the preferences page and unmutes; and
mutes a conversation from the link of its new-message email."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accounts.factories import UserFactory
from features.courses.factories import CourseFactory
from features.programs.factories import ProgramFactory
from instant import actions as messaging
from instant.models import Membership, Privacy
from notifications import send
from notifications.factories import context_for
from notifications.models import Mute

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_a_learner_mutes_from_an_alert_and_an_email_and_unmutes(page, asgi_server):
    lee = UserFactory(username="lee", full_name="Lee Learner")
    course = CourseFactory(full_name="Workplace safety")
    program = ProgramFactory(name="Safety basics")
    send(
        "programs.due",
        [lee],
        context=context_for("programs.due", program="Fire drill"),
        about=[course],
    )
    log_in(page, "lee")

    block = page.locator("#block-alerts")
    block.locator("details.item-menu summary").first.click()
    block.get_by_role("button", name="Mute Workplace safety").click()
    expect(page.locator(".flash-success")).to_contain_text("Workplace safety is muted")
    assert Mute.objects.get(user=lee).label == "Workplace safety"

    # The program's email carries a link to mute it: it asks first, with the choice to hide
    # its alerts too.
    mail.outbox.clear()
    event = asgi_server.run_as_request(
        send,
        "programs.due",
        [lee],
        context=context_for("programs.due", program="Fire drill"),
        about=[program],
    ).event_id
    page.goto(f"/preferences/mute/?event={event}&subject=programs.program%3A{program.pk}")
    expect(page.get_by_role("heading", name="Mute Safety basics?")).to_be_visible()
    assert_accessible(page, "the mute confirmation")
    page.get_by_label("Keep its alerts out of my inbox too").check()
    page.get_by_role("button", name="Mute Safety basics").click()

    muted = page.locator("#muted")
    expect(muted).to_contain_text("Safety basics")
    expect(muted).to_contain_text("(its alerts are hidden too)")
    expect(muted).to_contain_text("Workplace safety")
    assert_accessible(page, "preferences with mutes")
    muted.get_by_role("button", name="Unmute Workplace safety").click()
    expect(page.locator("#muted")).not_to_contain_text("Workplace safety")
    assert list(Mute.objects.filter(user=lee).values_list("label", flat=True)) == ["Safety basics"]

    # Someone else's message names nothing this learner may mute.
    page.goto(f"/preferences/mute/?event={event + 1000}&subject=programs.program%3A{program.pk}")
    expect(page.get_by_role("alert")).to_contain_text("Nothing was changed.")


def test_a_member_mutes_a_conversation_from_its_email(page, asgi_server, settings):
    settings.INSTANT_EMAIL_DELAY_SECONDS = 300
    ann = UserFactory(username="ann", full_name="Ann A")
    lee = UserFactory(username="lee", full_name="Lee Learner")
    messaging.set_privacy(lee, Privacy.SITE)
    conversation, _ = messaging.start_conversation(ann, [lee.pk])
    # Sent the way a view sends (the server's thread: its live pushes go from there).
    asgi_server.run_as_request(
        messaging.send_message, ann, conversation.pk, "Are you coming to the drill?"
    )
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=True):
        assert asgi_server.run_as_request(messaging.email_unread_messages) == 1
    [email] = mail.outbox
    link = next(
        line for line in email.body.splitlines() if line.startswith("Mute this conversation")
    )
    path = link.split("/messages/", 1)[1]

    log_in(page, "lee")
    page.goto(f"/messages/{path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mute Ann A?")
    assert_accessible(page, "the conversation's mute confirmation")
    page.get_by_role("button", name="Mute this conversation").click()
    expect(page.locator(".flash-success")).to_contain_text("The conversation is muted")
    expect(page).to_have_url(f"{asgi_server.url}/messages/{conversation.pk}/")
    expect(page.get_by_role("button", name="Unmute")).to_be_visible()
    assert Membership.objects.get(user=lee).muted
