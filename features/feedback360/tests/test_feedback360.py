"""360 feedback: requests to users and external addresses, answers, cancelling, changing
responders and reminders, with who receives what."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from alerts.models import Alert
from features.feedback360 import actions, externals
from features.feedback360.models import FeedbackRequest, Responder

REQUEST = "feedback360.request"
CANCELLED = "feedback360.request_cancelled"
UPDATED = "feedback360.assignments_updated"
REMINDER = "feedback360.reminder"
EXTERNAL = "ext@partner.org"


def received(key):
    rows = Alert.objects.filter(key=key).select_related("recipient", "event")
    return {row.recipient.username: row.kind for row in rows}


def mailed():
    return sorted(m.to[0] for m in mail.outbox)


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def feedback(people, capture):
    with capture():
        request = actions.request_feedback(
            people["lee"],
            people["lee"],
            name="How do I run meetings?",
            user_ids=[people["lou"].pk, people["sam"].pk],
            emails=[EXTERNAL],
            message="Be honest!",
            due_at=timezone.now() + timedelta(days=14),
        )
    mail.outbox.clear()
    return request


def responder(feedback, who):
    if "@" in who:
        return feedback.responders.get(email=who)
    return feedback.responders.get(user__username=who)


def test_a_request_tasks_each_user_and_emails_external_addresses_a_link(people, capture):
    with capture():
        request = actions.request_feedback(
            people["lee"],
            people["lee"],
            name="Meetings",
            user_ids=[people["lou"].pk, people["sam"].pk],
            emails=["Ext@Partner.org"],
            message="Be honest!",
        )
    assert received(REQUEST) == {"lou": "task", "sam": "task"}
    task = Alert.objects.filter(key=REQUEST).first()
    assert task.event.url == f"/feedback360/{request.pk}/respond/"
    assert task.event.context["message"] == "Be honest!"
    assert mailed() == ["ext@partner.org", "lou@example.com", "sam@example.com"]
    external = next(m for m in mail.outbox if m.to == [EXTERNAL])
    assert external.subject == "Lee Person would like your feedback"
    assert "Be honest!" in external.body
    token = re.search(r"/feedback360/external/([^/\s]+)/", external.body).group(1)
    assert externals.responder_for(token) == responder(request, EXTERNAL)
    assert "/preferences/" not in external.body  # not a user: no preferences to point to
    assert responder(request, EXTERNAL).emailed_at is not None


def test_a_manager_asks_about_their_learner_and_nobody_else_can(people):
    request = actions.request_feedback(
        people["mia"], people["lee"], name="Lee's year", user_ids=[people["lou"].pk]
    )
    assert request.requested_by == people["mia"]
    with pytest.raises(actions.FeedbackError, match="people you manage"):
        actions.request_feedback(
            people["olive"], people["lee"], name="Snooping", user_ids=[people["lou"].pk]
        )


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"user_ids": [], "emails": []}, "at least one"),
        ({"name": "  "}, "Give the request a name"),
        ({"user_ids": ["lee"]}, "cannot answer their own"),
        ({"emails": ["lee@example.com"]}, "cannot give feedback on themselves"),
        ({"user_ids": ["gone"]}, "active users"),
        ({"due_at": "past"}, "future"),
        ({"message": "x" * 2001}, "longer than"),
    ],
)
def test_a_bad_request_is_refused_and_sends_nothing(people, capture, changes, error):
    gone = UserFactory(username="gone", is_active=False)
    people = {**people, "gone": gone}
    arguments = {"name": "Meetings", "user_ids": [people["lou"].pk], "emails": []}
    for name, value in changes.items():
        if name == "user_ids":
            value = [people[u].pk for u in value]
        if value == "past":
            value = timezone.now() - timedelta(days=1)
        arguments[name] = value
    with capture(), pytest.raises(actions.FeedbackError, match=error):
        actions.request_feedback(people["lee"], people["lee"], **arguments)
    assert not FeedbackRequest.objects.exists()
    assert not Alert.objects.exists() and mail.outbox == []


def test_email_addresses_are_parsed_and_checked():
    assert actions.parse_emails("a@x.org, B@x.org;\na@x.org") == ["a@x.org", "b@x.org"]
    with pytest.raises(actions.FeedbackError, match="'nope' is not an email address"):
        actions.parse_emails("a@x.org nope")


def test_answering_closes_only_the_responders_own_task(feedback, people):
    actions.answer(responder(feedback, "lou"), "Great at meetings.")
    lou = Alert.objects.get(key=REQUEST, recipient=people["lou"])
    sam = Alert.objects.get(key=REQUEST, recipient=people["sam"])
    assert lou.done_at and lou.action == "completed" and sam.done_at is None
    with pytest.raises(actions.FeedbackError, match="already answered"):
        actions.answer(responder(feedback, "lou"), "Again.")
    with pytest.raises(actions.FeedbackError, match="Write your feedback"):
        actions.answer(responder(feedback, "sam"), "  ")
    assert responder(feedback, "lou").answer == "Great at meetings."


def test_cancelling_tells_those_who_had_not_answered_and_closes_their_tasks(
    feedback, people, capture
):
    actions.answer(responder(feedback, "sam"), "Fine.")
    with pytest.raises(actions.FeedbackError, match="Only whoever asked"):
        actions.cancel_request(feedback, people["mia"])
    with capture():
        actions.cancel_request(feedback, people["lee"])
    assert received(CANCELLED) == {"lou": "alert"}
    assert mailed() == [EXTERNAL, "lou@example.com"]
    external = next(m for m in mail.outbox if m.to == [EXTERNAL])
    assert "cancelled" in external.subject and "/feedback360/external/" not in external.body
    assert Alert.objects.get(key=REQUEST, recipient=people["lou"]).action == "cancelled"
    assert Alert.objects.get(key=REQUEST, recipient=people["sam"]).action == "completed"
    with pytest.raises(actions.FeedbackError, match="was cancelled"):
        actions.cancel_request(feedback, people["lee"])
    with pytest.raises(actions.FeedbackError, match="cancelled"):
        actions.answer(responder(feedback, "lou"), "Too late.")


def test_a_responder_added_later_is_told_and_can_open_the_request(feedback, people, capture):
    with capture():
        assert actions.update_responders(
            feedback, people["lee"], add_user_ids=[people["olive"].pk]
        ) == (1, 0)
    told = Alert.objects.get(key=UPDATED, recipient=people["olive"])
    assert told.event.url == f"/feedback360/{feedback.pk}/respond/"


@pytest.mark.links_gone("a removed responder's request page is no longer theirs")
def test_changing_responders_tells_those_added_and_those_removed(feedback, people, capture):
    sam = responder(feedback, "sam")
    external = responder(feedback, EXTERNAL)
    with capture():
        added, removed = actions.update_responders(
            feedback,
            people["lee"],
            add_user_ids=[people["olive"].pk],
            add_emails=["new@partner.org"],
            remove_ids=[sam.pk, external.pk],
        )
    assert (added, removed) == (2, 2)
    rows = Alert.objects.filter(key=UPDATED).select_related("recipient", "event")
    assert {r.recipient.username: r.event.context["added"] for r in rows} == {
        "olive": True,
        "sam": False,
    }
    assert {r.recipient.username: r.kind for r in rows} == {"olive": "alert", "sam": "alert"}
    olive = next(r for r in rows if r.recipient.username == "olive")
    assert olive.event.url == f"/feedback360/{feedback.pk}/respond/"
    assert mailed() == [EXTERNAL, "new@partner.org", "olive@example.com", "sam@example.com"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "/feedback360/external/" in by_address["new@partner.org"].body
    assert "withdrawn" in by_address[EXTERNAL].subject
    assert "/feedback360/external/" not in by_address[EXTERNAL].body
    assert Alert.objects.get(key=REQUEST, recipient=people["sam"]).action == "removed"
    assert Alert.objects.get(key=REQUEST, recipient=people["lou"]).done_at is None
    assert set(feedback.responders.values_list("user__username", "email")) == {
        ("lou", ""),
        ("olive", ""),
        (None, "new@partner.org"),
    }


@pytest.mark.parametrize(
    "change, error",
    [
        ({"remove": ["lou"]}, "Already answered"),
        ({"remove": ["lou", "sam", EXTERNAL]}, "Already answered"),
        ({"add_user_ids": ["sam"]}, "Already asked"),
        ({"add_emails": [EXTERNAL]}, "Already asked"),
        ({}, "Choose people"),
    ],
)
def test_bad_responder_changes_are_refused_and_change_nothing(feedback, people, change, error):
    actions.answer(responder(feedback, "lou"), "Done.")
    arguments = {
        "remove_ids": [responder(feedback, w).pk for w in change.get("remove", [])],
        "add_user_ids": [people[u].pk for u in change.get("add_user_ids", [])],
        "add_emails": change.get("add_emails", []),
    }
    with pytest.raises(actions.FeedbackError, match=error):
        actions.update_responders(feedback, people["lee"], **arguments)
    assert feedback.responders.count() == 3
    assert not Alert.objects.filter(key=UPDATED).exists()


def test_a_request_keeps_at_least_one_responder(people):
    request = actions.request_feedback(
        people["lee"], people["lee"], name="Meetings", user_ids=[people["lou"].pk]
    )
    with pytest.raises(actions.FeedbackError, match="at least one responder"):
        actions.update_responders(request, people["lee"], remove_ids=[responder(request, "lou").pk])


def test_reminders_go_to_non_responders_once_a_day(feedback, people, capture):
    actions.answer(responder(feedback, "lou"), "Done.")
    with capture():
        assert actions.remind(feedback, people["lee"]) == 2
    assert received(REMINDER) == {"sam": "alert"}
    assert mailed() == [EXTERNAL, "sam@example.com"]
    assert "/feedback360/external/" in mail.outbox[0].body + mail.outbox[1].body
    mail.outbox.clear()
    with capture():
        assert actions.remind(feedback, people["lee"]) == 0
    assert Alert.objects.filter(key=REMINDER).count() == 1 and mail.outbox == []
    with time_machine.travel(timezone.now() + timedelta(days=1)), capture():
        assert actions.remind(feedback, people["lee"]) == 2
    assert Alert.objects.filter(key=REMINDER).count() == 2
    assert len(mail.outbox) == 2
    with pytest.raises(actions.FeedbackError, match="Only whoever asked"):
        actions.remind(feedback, people["sam"])


def test_nobody_to_remind_is_an_error(feedback, people):
    for who in ("lou", "sam", EXTERNAL):
        actions.answer(responder(feedback, who), "Done.")
    with pytest.raises(actions.FeedbackError, match="Everyone has answered"):
        actions.remind(feedback, people["lee"])


def test_a_suppressed_external_address_is_not_emailed(people, capture):
    from notifications.models import EmailSuppression

    EmailSuppression.objects.create(address=EXTERNAL, reason="bounced")
    with capture():
        actions.request_feedback(people["lee"], people["lee"], name="M", emails=[EXTERNAL])
    assert mail.outbox == []
    assert Responder.objects.get().emailed_at is None
