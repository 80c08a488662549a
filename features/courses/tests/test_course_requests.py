"""Course requests: asked on a page, approved or rejected in the admin, each with its email."""

import itertools

import pytest
from django.core import mail

from accounts.factories import AdminFactory, UserFactory
from features.courses import actions
from features.courses.factories import CourseFactory
from features.courses.models import Course, CourseRequest, CourseRequestRecipient, Enrolment
from features.courses.tests.helpers import (
    addresses,
    assert_turning_off_stops_email,
    emails,
    french_template,
    turned_off_ways,
)

CREATED = "courses.request_created"
APPROVED = "courses.request_approved"
REJECTED = "courses.request_rejected"
CHANGELIST = "/admin/courses/courserequest/"
numbers = itertools.count(1)


def ask(requester, **values):
    values.setdefault("full_name", "First aid")
    values.setdefault("short_name", f"AID{next(numbers)}")
    return actions.request_course(requester, **values)


@pytest.fixture
def requester(db):
    return UserFactory(username="tara", full_name="Tara Trainer")


# Asking


def test_a_request_tells_the_configured_recipients_in_their_language(client, requester, capture):
    AdminFactory()  # not told: recipients are configured
    anna = UserFactory(full_name="Anna Approver", is_staff=True, is_superuser=True)
    felix = UserFactory(
        full_name="Félix Approbateur", language="fr", is_staff=True, is_superuser=True
    )
    CourseRequestRecipient.objects.bulk_create(
        [CourseRequestRecipient(user=anna), CourseRequestRecipient(user=felix)]
    )
    french_template(CREATED, "Nouvelle demande de cours : {{ course }}")
    client.force_login(requester)
    with capture(execute=True):
        response = client.post(
            "/courses/request/",
            {"full_name": "First aid", "short_name": "AID", "reason": "New regulation"},
        )
    assert response.status_code == 302
    request = CourseRequest.objects.get()
    assert (request.requester, request.status, request.reason) == (
        requester,
        "pending",
        "New regulation",
    )
    assert addresses(CREATED) == sorted([anna.email, felix.email])
    [to_anna] = emails(CREATED, anna)
    assert to_anna.subject == "New course request: First aid"
    assert "Tara Trainer has requested a new course, First aid." in to_anna.body
    assert "Reason: New regulation" in to_anna.body
    assert f"/admin/courses/courserequest/{request.pk}/change/" in to_anna.body
    assert emails(CREATED, felix)[0].subject == "Nouvelle demande de cours : First aid"
    page = client.get("/courses/request/").content.decode()
    assert "First aid" in page and "Pending" in page


def test_without_configured_recipients_the_site_admins_are_told(requester, capture):
    admin = AdminFactory()
    AdminFactory(is_active=False)
    with capture(execute=True):
        ask(requester)
    assert addresses(CREATED) == [admin.email]


def test_a_taken_short_name_is_refused_on_the_page_and_nothing_is_sent(client, requester, capture):
    AdminFactory()
    CourseFactory(short_name="SAFE")
    client.force_login(requester)
    with capture(execute=True):
        response = client.post("/courses/request/", {"full_name": "Safety", "short_name": "safe"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page and "short name safe exists" in page
    assert 'value="Safety"' in page  # what was typed is kept
    assert not CourseRequest.objects.exists()
    assert mail.outbox == []


def test_a_request_needs_its_names(client, requester):
    client.force_login(requester)
    response = client.post("/courses/request/", {"full_name": "", "short_name": ""})
    assert response.status_code == 400
    assert not CourseRequest.objects.exists()
    with pytest.raises(actions.CourseError):
        ask(requester, full_name="   ")


def test_the_same_short_name_cannot_be_requested_twice(requester):
    ask(requester, short_name="AID")
    with pytest.raises(actions.CourseError, match="requested already"):
        ask(UserFactory(), short_name="aid")


@turned_off_ways
def test_turning_the_request_notice_off_stops_its_email(way, requester, client, capture):
    admin = AdminFactory()
    assert_turning_off_stops_email(
        way, CREATED, admin, lambda: ask(requester), client=client, capture=capture
    )


# Approving and rejecting in the admin


@pytest.fixture
def admin_client(client, db):
    admin = AdminFactory(username="ada", full_name="Ada Admin")
    client.force_login(admin)
    client.admin = admin
    return client


def test_an_admin_approves_which_creates_the_course_and_tells_the_requester(
    admin_client, requester, capture
):
    requester.language = "fr"
    requester.save()
    french_template(APPROVED, "Votre demande est acceptée : {{ course }}")
    request = ask(requester, short_name="AID")
    mail.outbox.clear()
    with capture(execute=True):
        response = admin_client.post(
            CHANGELIST, {"action": "approve", "_selected_action": [request.pk]}
        )
    assert response.status_code == 302
    course = Course.objects.get(short_name="AID")
    assert course.created_by == requester
    assert Enrolment.objects.get(course=course).user == requester
    assert Enrolment.objects.get(course=course).role == "trainer"
    request.refresh_from_db()
    assert (request.status, request.course, request.reviewed_by) == (
        "approved",
        course,
        admin_client.admin,
    )
    assert addresses(APPROVED) == [requester.email]
    assert emails(APPROVED)[0].subject == "Votre demande est acceptée : First aid"
    assert f"/courses/{course.pk}/" in emails(APPROVED)[0].body

    # Approving again changes nothing and sends nothing.
    mail.outbox.clear()
    with capture(execute=True):
        admin_client.post(CHANGELIST, {"action": "approve", "_selected_action": [request.pk]})
    assert Course.objects.filter(short_name="AID").count() == 1
    assert mail.outbox == []


def test_the_approval_email_is_in_english_by_default(requester, capture):
    request = ask(requester)
    with capture(execute=True):
        actions.approve_course_request(request, AdminFactory())
    [message] = emails(APPROVED)
    assert message.subject == "Your course request was approved: First aid"
    assert "Hello Tara Trainer" in message.body and "has been approved" in message.body


def test_an_admin_rejects_with_a_reason_the_requester_reads(admin_client, requester, capture):
    request = ask(requester)
    mail.outbox.clear()
    chosen = {"action": "reject", "_selected_action": [request.pk]}
    page = admin_client.post(CHANGELIST, chosen)
    assert page.status_code == 200 and b"Reason (sent to the requester)" in page.content
    assert CourseRequest.objects.get().status == "pending"
    with capture(execute=True):
        response = admin_client.post(
            CHANGELIST, {**chosen, "apply": "Reject", "reason": "We have one already."}
        )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.rejection_reason) == ("rejected", "We have one already.")
    assert not Course.objects.exists()
    assert addresses(REJECTED) == [requester.email]
    [message] = emails(REJECTED)
    assert message.subject == "Your course request was rejected: First aid"
    assert "Reason: We have one already." in message.body


def test_the_rejection_arrives_in_french(requester, capture):
    requester.language = "fr"
    requester.save()
    french_template(REJECTED, "Demande refusée : {{ course }}", "Raison : {{ reason }}")
    request = ask(requester)
    with capture(execute=True):
        actions.reject_course_request(request, AdminFactory(), "Doublon")
    [message] = emails(REJECTED)
    assert message.subject == "Demande refusée : First aid"
    assert "Raison : Doublon" in message.body


def test_a_rejected_request_cannot_be_approved(requester):
    request = ask(requester)
    actions.reject_course_request(request, AdminFactory())
    with pytest.raises(actions.CourseError, match="rejected already"):
        actions.approve_course_request(request, AdminFactory())
    assert not Course.objects.exists()


def test_approval_is_refused_when_the_short_name_was_taken_meanwhile(requester):
    request = ask(requester, short_name="AID")
    CourseFactory(short_name="AID")
    with pytest.raises(actions.CourseError, match="exists"):
        actions.approve_course_request(request, AdminFactory())
    assert CourseRequest.objects.get().status == "pending"


@turned_off_ways
def test_turning_the_approval_off_stops_its_email(way, requester, client, capture):
    admin = AdminFactory()

    def perform():
        actions.approve_course_request(ask(requester), admin)

    assert_turning_off_stops_email(
        way, APPROVED, requester, perform, client=client, capture=capture
    )


@turned_off_ways
def test_turning_the_rejection_off_stops_its_email(way, requester, client, capture):
    admin = AdminFactory()

    def perform():
        actions.reject_course_request(ask(requester), admin, "No")

    assert_turning_off_stops_email(
        way, REJECTED, requester, perform, client=client, capture=capture
    )


def test_the_admin_pages_answer(admin_client, requester):
    ask(requester)
    for url in (
        CHANGELIST,
        "/admin/courses/course/",
        "/admin/courses/enrolment/",
        "/admin/courses/courserequestrecipient/",
        "/admin/courses/course/add/",
    ):
        assert admin_client.get(url).status_code == 200, url


def test_a_configured_recipient_who_is_not_staff_is_not_told_and_the_admins_are(
    client, requester, capture
):
    admin = AdminFactory()
    # Neither can approve it in the admin: a user, and staff without the permission.
    CourseRequestRecipient.objects.create(user=UserFactory())
    CourseRequestRecipient.objects.create(user=UserFactory(is_staff=True))
    client.force_login(requester)
    with capture(execute=True):
        client.post("/courses/request/", {"full_name": "Knots", "short_name": "KN", "reason": "x"})
    assert [m.to for m in mail.outbox if m.extra_headers["X-Notification-Type"] == CREATED] == [
        [admin.email]
    ]
