"""360 feedback pages: asking, answering (with an account or by signed link), managing."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert
from features.feedback360 import actions, externals
from features.feedback360.models import FeedbackRequest, Responder

EXTERNAL = "ext@partner.org"


@pytest.fixture
def feedback(people):
    return actions.request_feedback(
        people["lee"],
        people["lee"],
        name="Meetings",
        user_ids=[people["lou"].pk, people["sam"].pk],
        emails=[EXTERNAL],
    )


def test_the_learner_asks_for_feedback_from_the_form(client, people):
    client.force_login(people["lee"])
    page = client.get("/feedback360/new/").content.decode()
    assert '<label for="id_emails">' in page and "Myself" in page
    response = client.post(
        "/feedback360/new/",
        {
            "learner": people["lee"].pk,
            "name": "Meetings",
            "users": [people["lou"].pk],
            "emails": "ext@partner.org\nother@partner.org",
        },
    )
    request = FeedbackRequest.objects.get()
    assert response.status_code == 302 and response.url == f"/feedback360/{request.pk}/"
    assert request.responders.count() == 3
    assert Alert.objects.filter(key="feedback360.request").count() == 1


def test_a_bad_form_shows_errors_and_creates_nothing(client, people):
    client.force_login(people["lee"])
    response = client.post(
        "/feedback360/new/", {"learner": people["lee"].pk, "name": "M", "emails": "not-one"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "is not an email address" in page
    response = client.post("/feedback360/new/", {"learner": people["lee"].pk, "name": "M"})
    assert response.status_code == 400 and "at least one person" in response.content.decode()
    assert not FeedbackRequest.objects.exists()


def test_a_responder_answers_from_the_task_link(client, feedback, people):
    url = f"/feedback360/{feedback.pk}/respond/"
    client.force_login(people["lou"])
    assert '<label for="id_answer">' in client.get(url).content.decode()
    response = client.post(url, {"answer": "Clear and kind."})
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    assert Alert.objects.get(recipient=people["lou"]).done_at is not None
    assert client.post(url, {"answer": "Again"}).status_code == 400
    client.force_login(people["olive"])
    assert client.get(url).status_code == 404


def test_an_external_responder_answers_through_the_signed_link_without_an_account(client, feedback):
    external = feedback.responders.get(email=EXTERNAL)
    url = f"/feedback360/external/{externals.token_for(external)}/"
    page = client.get(url).content.decode()
    assert "Feedback on Lee Person" in page and '<label for="id_answer">' in page
    assert client.post(url, {"answer": ""}).status_code == 400
    response = client.post(url, {"answer": "Great listener."})
    assert response.status_code == 200
    external.refresh_from_db()
    assert external.answer == "Great listener." and external.answered_at


def test_a_tampered_or_expired_link_is_refused_and_changes_nothing(client, feedback):
    external = feedback.responders.get(email=EXTERNAL)
    token = externals.token_for(external)
    for bad in (token[:-2] + "xx", "garbage", externals.token_for(external).replace("e", "f", 1)):
        response = client.post(f"/feedback360/external/{bad}/", {"answer": "Forged"})
        assert response.status_code == 400
        assert "not valid" in response.content.decode()
    with time_machine.travel(timezone.now() + externals.LINK_MAX_AGE + timedelta(days=1)):
        response = client.post(f"/feedback360/external/{token}/", {"answer": "Late"})
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert not Responder.objects.filter(answered_at__isnull=False).exists()


def test_a_removed_external_responders_link_stops_working(client, feedback, people):
    external = feedback.responders.get(email=EXTERNAL)
    token = externals.token_for(external)
    actions.update_responders(feedback, people["lee"], remove_ids=[external.pk])
    assert client.get(f"/feedback360/external/{token}/").status_code == 404


@pytest.mark.links_gone("it removes responders and cancels the request")
def test_the_requester_sees_answers_and_manages_the_request(client, feedback, people):
    actions.answer(feedback.responders.get(user=people["lou"]), "Clear and kind.")
    url = f"/feedback360/{feedback.pk}/"
    client.force_login(people["lee"])
    page = client.get(url).content.decode()
    assert "Clear and kind." in page and "Remind the 2 who have not answered" in page
    response = client.post(f"{url}remind/", follow=True)
    assert "Reminder sent to 2 responder(s)." in response.content.decode()
    assert Alert.objects.filter(key="feedback360.reminder").count() == 1
    sam = feedback.responders.get(user=people["sam"])
    response = client.post(
        f"{url}responders/", {"users": [people["olive"].pk], "remove": [sam.pk]}, follow=True
    )
    assert "1 added, 1 removed" in response.content.decode()
    lou = feedback.responders.get(user=people["lou"])
    response = client.post(f"{url}responders/", {"remove": [lou.pk]})
    assert response.status_code == 400  # answered: not offered for removal
    response = client.post(f"{url}cancel/", follow=True)
    assert "The request is cancelled" in response.content.decode()
    assert client.post(f"{url}cancel/").status_code == 400


def test_others_cannot_see_or_manage_a_request(client, feedback, people):
    url = f"/feedback360/{feedback.pk}/"
    client.force_login(people["lou"])  # a responder, not the requester
    assert client.get(url).status_code == 404
    assert client.post(f"{url}cancel/").status_code == 404
    assert client.post(f"{url}remind/").status_code == 404
    client.force_login(people["mia"])  # the manager did not ask; the learner did
    assert client.get(url).status_code == 404
    feedback.refresh_from_db()
    assert feedback.is_open and not Alert.objects.filter(key="feedback360.reminder").exists()


def test_the_list_is_a_constant_number_of_queries(client, people, django_assert_num_queries):
    for _ in range(3):
        actions.request_feedback(
            people["lee"], people["lee"], name="M", user_ids=[people["lou"].pk]
        )
        actions.request_feedback(
            people["sam"], people["sam"], name="N", user_ids=[people["lee"].pk]
        )
    client.force_login(people["lee"])
    # session, user, counters (one query), my requests, asked of me
    with django_assert_num_queries(5):
        page = client.get("/feedback360/").content.decode()
    assert page.count("0 of 1") == 3 and page.count("waiting for your answer") == 3


def test_the_admin_lists_requests(client, feedback):
    from accounts.factories import AdminFactory

    client.force_login(AdminFactory())
    assert client.get("/admin/feedback360/feedbackrequest/").status_code == 200
    url = f"/admin/feedback360/feedbackrequest/{feedback.pk}/change/"
    assert client.get(url).status_code == 200
