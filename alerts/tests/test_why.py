""" "Why did I get this?": the rule recorded per delivery at send time, on a page each recipient
reaches from their alert, task or email, and nobody else can open."""

import re

import pytest
from django.core import mail

from accounts.factories import UserFactory
from alerts.models import Alert
from notifications import presence, send
from notifications.factories import context_for
from notifications.flows import update_preferences
from notifications.models import EmailDelivery, OutputSetting

ALERT = "programs.due"
TASK = "programs.extension_request"
KEEPS = "seminars.booking_cancellation"


def why_of(event_id, user):
    alert = Alert.objects.filter(event_id=event_id, recipient=user).first()
    email = EmailDelivery.objects.filter(event_id=event_id, user=user).first()
    return (alert.why if alert else None, email.why if email else None)


def test_the_default_and_the_state_are_recorded_per_output(sent, user, other_user):
    presence.touch(other_user.pk)  # logged in: no email by default
    result = sent(ALERT, [user, other_user])
    # The web inbox is the site's rule for alerts; email the type's default per state.
    assert why_of(result.event_id, user) == ("forced", "default-off")
    assert why_of(result.event_id, other_user) == ("forced", None)
    OutputSetting.objects.filter(message_type__key=ALERT, output="web").update(
        permission="permitted", logged_in=True, logged_off=True
    )
    result = sent(ALERT, [user, other_user])
    assert why_of(result.event_id, user) == ("default-off", "default-off")
    assert why_of(result.event_id, other_user) == ("default-in", None)


def test_a_choice_and_a_forced_output_are_recorded_as_such(sent, user):
    update_preferences(
        user, [{"key": ALERT, "output": "email", "logged_in": True, "logged_off": True}]
    )
    OutputSetting.objects.filter(message_type__key=ALERT, output="email").update(
        permission="forced"
    )
    result = sent(ALERT, [user])
    assert why_of(result.event_id, user) == ("forced", "forced")
    OutputSetting.objects.filter(message_type__key=ALERT, output="email").update(
        permission="permitted"
    )
    result = sent(ALERT, [user])
    assert why_of(result.event_id, user) == ("forced", "chosen-off")


def test_a_document_to_keep_is_emailed_to_the_logged_in_and_says_so(sent, user, client):
    presence.touch(user.pk)
    result = sent(KEEPS, [user])
    assert why_of(result.event_id, user)[1] == "default-keeps"
    client.force_login(user)
    page = client.get(f"/why/{result.event_id}/").content.decode()
    assert "it carries a calendar invitation, so it is emailed whether you are logged in" in page


def test_the_page_tells_the_recipient_each_output_and_its_rule(sent, user, client):
    result = sent(ALERT, [user])
    client.force_login(user)
    response = client.get(f"/why/{result.event_id}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Program due (Program management)" in page
    assert "Sent a set number of days before the program&#x27;s due date." in page
    assert "It goes to: learner (+manager)." in page
    assert "The site always sends this message in your notifications" in page
    assert f"Email to {user.email}" in page
    assert "by default it comes by email when logged off" in page
    assert f'href="/preferences/messaging/#{ALERT}:web:logged_in"' in page


def test_a_managers_copy_says_whose_manager_they_are(sent, user, client):
    manager = UserFactory()
    context = {**context_for(TASK), "learner": "Lee Learner"}
    result = sent(TASK, [manager], context=context, audience="manager")
    client.force_login(manager)
    page = client.get(f"/why/{result.event_id}/").content.decode()
    assert "You are the manager of Lee Learner, so you get a copy." in page


def test_the_copy_flag_of_a_type_makes_the_manager_audience(sent, db):
    manager = UserFactory()
    context = {**context_for(KEEPS), "manager_copy": True}
    result = sent(KEEPS, [manager], context=context)
    from notifications.models import Event

    assert Event.objects.get(pk=result.event_id).audience == "manager"


def test_an_unknown_audience_is_refused_and_writes_nothing(user):
    from notifications.models import Event

    with pytest.raises(ValueError, match="audience"):
        send(ALERT, [user], context=context_for(ALERT), audience="stranger")
    assert not Event.objects.exists()


def test_others_cannot_see_what_someone_else_got(sent, user, other_user, client):
    result = sent(ALERT, [user])
    client.force_login(other_user)
    assert client.get(f"/why/{result.event_id}/").status_code == 404
    assert client.get("/why/999999/").status_code == 404
    client.logout()
    response = client.get(f"/why/{result.event_id}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_every_email_and_inbox_item_links_to_its_page(sent, user, client):
    result = sent(ALERT, [user])
    path = f"/why/{result.event_id}/"
    (message,) = mail.outbox
    assert re.search(rf"Why did I get this\? \S+{re.escape(path)}", message.body)
    assert (
        f'href="http://testserver{path}"' in message.alternatives[0][0]
        or path in (message.alternatives[0][0])
    )
    client.force_login(user)
    assert client.get("/api/alerts/").json()["results"][0]["why_url"] == path
    for page in ("/alerts/", "/"):
        assert f'href="{path}"' in client.get(page).content.decode()


def test_the_why_link_costs_the_lists_no_query(sent, user, client, django_assert_max_num_queries):
    for _ in range(3):
        sent(ALERT, [user])
    client.force_login(user)
    client.get("/alerts/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/alerts/")
    for _ in range(5):
        sent(ALERT, [user])
    with django_assert_max_num_queries(len(few)):
        client.get("/alerts/")
