"""Muting a course, a discussion or a program: no email (or push) from it, its alerts still
there unless hidden too; tasks, urgent messages and forced outputs still come; a user mutes
only what their own messages come from; constant queries per batch."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.factories import UserFactory
from alerts.models import Alert
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import Enrolment
from features.forums import actions as forum_actions
from features.forums.models import Forum
from features.programs.factories import ProgramFactory
from notifications import muting, send
from notifications.catalogue import Permission
from notifications.factories import context_for
from notifications.models import EmailDelivery, Mute, OutputSetting, Undelivered

ALERT = "programs.due"  # an alert: web and email when logged off by default
TASK = "feedback360.request"  # a task


@pytest.fixture
def course(db):
    return CourseFactory(full_name="Workplace safety", short_name="SAFETY")


@pytest.fixture
def program(db):
    return ProgramFactory(name="Safety basics")


def sent(key, users, about, capture, **kwargs):
    with capture(execute=True):
        return send(
            key, users, context=context_for(key, program="Fire drill"), about=about, **kwargs
        )


def emailed(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def mute(user, subject_of, capture, hide_web=False):
    """Mutes `subject_of` for `user` the way a user can: from a message of theirs."""
    result = sent(ALERT, [user], [subject_of], capture)
    return muting.mute(
        user, muting.subject_key(subject_of), event_id=result.event_id, hide_web=hide_web
    )


def test_a_muted_course_sends_no_email_but_its_alert_stays(
    course, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    lee, lou = UserFactory(), UserFactory()
    mute(lee, course, capture)
    mail.outbox.clear()

    result = sent(ALERT, [lee, lou], [course], capture)

    assert emailed(lee) == [] and len(emailed(lou)) == 1
    assert Alert.objects.filter(event_id=result.event_id).count() == 2
    reason = Undelivered.objects.filter(event_id=result.event_id, user=lee)
    assert not reason.exists()  # reached on the web: not undelivered
    # Something else (another course, or nothing named) still emails.
    sent(ALERT, [lee], [CourseFactory()], capture)
    sent(ALERT, [lee], [], capture)
    assert len(emailed(lee)) == 2


def test_hiding_its_alerts_too_archives_them_on_arrival(
    program, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    lee = UserFactory()
    mute(lee, program, capture, hide_web=True)
    mail.outbox.clear()

    result = sent(ALERT, [lee], [program], capture)

    assert emailed(lee) == []
    # The web row is delivered (the site forces alerts on the web) but archived: out of the
    # inbox and its count, kept in the Archived tab.
    [alert] = Alert.objects.filter(event_id=result.event_id)
    assert alert.archived_at is not None
    assert not Alert.objects.filter(recipient=lee).visible().filter(event_id=result.event_id)


def test_tasks_urgent_messages_and_forced_outputs_are_never_muted(
    course, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    lee = UserFactory()
    mute(lee, course, capture, hide_web=True)
    mail.outbox.clear()

    with capture(execute=True):
        task = send(TASK, [lee], context=context_for(TASK), about=[course])
    assert Alert.objects.get(event_id=task.event_id).archived_at is None

    urgent = sent(ALERT, [lee], [course], capture, urgency="urgent")
    assert Alert.objects.get(event_id=urgent.event_id).archived_at is None
    assert len(emailed(lee)) == 2  # the task's email and the urgent one

    OutputSetting.objects.filter(message_type__key=ALERT, output="email").update(
        permission=Permission.FORCED
    )
    sent(ALERT, [lee], [course], capture)
    assert len(emailed(lee)) == 3


def test_a_forum_subscriber_mutes_a_discussion_from_its_email_link(
    client, course, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    tara, lee, lou = UserFactory(full_name="Tara Trainer"), UserFactory(), UserFactory()
    EnrolmentFactory(course=course, user=tara, role=Enrolment.Role.TRAINER)
    for learner in (lee, lou):
        EnrolmentFactory(course=course, user=learner)
    forum = Forum.objects.create(course=course, name="Questions", mode=Forum.Mode.AUTO)
    discussion = forum_actions.start_discussion(forum, tara, "Fire drill", "Friday at ten.")
    with capture(execute=True):
        forum_actions.mail_posts(now=_after_window())
    [message] = emailed(lee)
    key = muting.subject_key(discussion)
    assert "Mute Fire drill:" in message.body and "Mute Workplace safety:" in message.body
    link = next(
        line.split(": ", 1)[1] for line in message.body.splitlines() if "Fire drill:" in line
    )
    assert "event=" in link and f"subject={key}".replace(":", "%3A") in link
    path = link.split("testserver", 1)[-1] if "testserver" in link else link[link.index("/pref") :]

    client.force_login(lee)
    page = client.get(path)
    assert page.status_code == 200
    assert "Mute Fire drill?" in page.content.decode()
    event_id = page.context["event_id"]
    response = client.post("/preferences/mute/", {"subject": key, "event": event_id, "next": "/"})
    assert response.status_code == 302
    assert Mute.objects.get(user=lee).label == "Fire drill"

    mail.outbox.clear()
    forum_actions.reply(discussion.posts.first(), lou, "I will be there.")
    with capture(execute=True):
        forum_actions.mail_posts(now=_after_window())
    assert emailed(lee) == [] and len(emailed(tara)) == 1


def _after_window():
    from features.forums.tests.conftest import after_window

    return after_window()


def test_a_user_mutes_only_what_their_own_messages_come_from(
    client, course, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    lee, olive = UserFactory(), UserFactory()
    theirs = sent(ALERT, [lee], [course], capture)
    key = muting.subject_key(course)
    client.force_login(olive)
    for data in (
        {"subject": key, "event": theirs.event_id},  # not olive's message
        {"subject": key, "event": "x"},
        {"subject": key},
        {"subject": "accounts.user:1", "event": theirs.event_id},  # not mutable
        {"subject": muting.subject_key(CourseFactory()), "event": theirs.event_id},
    ):
        response = client.post("/preferences/mute/", data)
        assert response.status_code == 400, data
        assert "Nothing was changed." in response.content.decode()
        assert client.get("/preferences/mute/", data).status_code == 400
    api = client.post("/api/mutes/", {"subject": key, "event": theirs.event_id}, "application/json")
    assert api.status_code == 400 and "subject" in api.json()["errors"]
    assert not Mute.objects.exists()


def test_the_alert_menu_mutes_and_the_preferences_page_unmutes(
    client, course, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    lee, olive = UserFactory(), UserFactory()
    sent(ALERT, [lee], [course], capture)
    client.force_login(lee)
    page = client.get("/alerts/").content.decode()
    assert "Mute Workplace safety" in page
    alert = Alert.objects.get(recipient=lee)
    response = client.post(
        "/preferences/mute/",
        {"subject": muting.subject_key(course), "event": alert.event_id, "next": "/alerts/"},
    )
    assert response.status_code == 302 and response["Location"] == "/alerts/"
    [muted] = Mute.objects.filter(user=lee)
    assert not muted.hide_web
    preferences = client.get("/preferences/messaging/").content.decode()
    assert "Workplace safety" in preferences and "(its alerts still arrive)" in preferences

    client.force_login(olive)
    assert client.post(f"/preferences/mute/{muted.pk}/delete").status_code == 404
    client.force_login(lee)
    assert client.post(f"/preferences/mute/{muted.pk}/delete").status_code == 302
    assert not Mute.objects.exists()
    assert "You have muted nothing." in client.get("/preferences/messaging/").content.decode()


def test_the_api_lists_mutes_and_unmutes(client, course, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    lee, olive = UserFactory(), UserFactory()
    event = sent(ALERT, [lee], [course], capture).event_id
    client.force_login(lee)
    key = muting.subject_key(course)
    bad = client.post(
        "/api/mutes/", {"subject": key, "event": event, "hide_web": "yes"}, "application/json"
    )
    assert bad.status_code == 400 and "hide_web" in bad.json()["errors"]
    made = client.post(
        "/api/mutes/", {"subject": key, "event": event, "hide_web": True}, "application/json"
    )
    assert made.status_code == 201
    assert made.json()["label"] == "Workplace safety" and made.json()["hide_web"] is True
    again = client.post("/api/mutes/", {"subject": key, "event": event}, "application/json")
    assert again.status_code == 201 and again.json()["hide_web"] is False
    assert [m["subject"] for m in client.get("/api/mutes/").json()] == [key]
    alerts = client.get("/api/alerts/").json()
    assert alerts["results"][0]["about"] == [{"key": key, "label": "Workplace safety"}]

    client.force_login(olive)
    assert client.get("/api/mutes/").json() == []
    assert client.delete(f"/api/mutes/{made.json()['id']}/").status_code == 404
    client.force_login(lee)
    assert client.delete(f"/api/mutes/{made.json()['id']}/").status_code == 204
    assert not Mute.objects.exists()


def test_a_sender_naming_what_cannot_be_muted_sends_nothing(db):
    lee = UserFactory()
    with pytest.raises(ValueError, match="cannot be muted"):
        send(ALERT, [lee], context=context_for(ALERT), about=[lee])
    with pytest.raises(ValueError, match="model instances"):
        send(ALERT, [lee], context=context_for(ALERT), about=["courses.course:1"])
    assert not Alert.objects.exists()


def test_mutes_cost_one_query_per_batch_whatever_the_recipients(
    course, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks

    def cost(n):
        users = UserFactory.create_batch(n)
        for user in users[::2]:
            mute(user, course, capture)
        with CaptureQueriesContext(connection) as queries:
            send(ALERT, users, context=context_for(ALERT), about=[course])
        return len(queries)

    assert cost(3) == cost(30)
    assert EmailDelivery.objects.exists()
