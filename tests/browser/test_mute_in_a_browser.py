"""In Chromium: a learner mutes a course from an alert's "More" menu, confirms muting a
program from the link its email carries, sees both on the preferences page and unmutes."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.factories import UserFactory
from features.courses.factories import CourseFactory
from features.programs.factories import ProgramFactory
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
