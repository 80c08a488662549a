"""In Chromium, with axe-core: no critical or serious accessibility violation on the pages people
reach, each opened as a user who would open it, on the demo site (totara_messaging.demo), whose
data fills every block and list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from alerts.models import Alert
from features.appraisals.models import Appraisal
from features.assignments.models import Assignment, Submission
from features.badges.models import Award, Badge
from features.courses.models import Course, CourseRequest
from features.feedback.models import FeedbackActivity
from features.feedback360.externals import token_for
from features.feedback360.models import FeedbackRequest, Responder
from features.forums.models import Discussion, Forum
from features.job_assignments.models import JobAssignment
from features.plans.models import Plan
from features.programs.models import Program
from features.quizzes.models import Attempt, Quiz
from features.seminars.models import Booking, Seminar, Session, SessionTrainer
from instant.models import Conversation
from totara_messaging import demo

from .conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

# Stock Django admin markup with a serious violation our templates cannot reach: the select2
# box of autocomplete_fields names its role="combobox" span by aria-labelledby pointing at its
# own (empty until chosen) rendering, not at the field's <label>.
ADMIN_STOCK = (".select2-selection",)


@pytest.fixture
def site(asgi_server):
    """The demo site, loaded as a request would (its messages are pushed to open pages)."""
    asgi_server.run_as_request(demo.load)
    return {u.username: u for u in User.objects.all()}


def check(page, url, label, exclude=(), status=200):
    response = page.goto(url)
    assert response.status == status, f"{label}: {url} answered {response.status}"
    assert_accessible(page, label, exclude)


def conversation_of(user):
    return Conversation.objects.filter(memberships__user=user).order_by("pk").first()


def test_the_login_page(page):
    check(page, "/login/", "login page")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page, "login page with an error")


def test_a_managers_notification_centre(page, site):
    mia = site["mia"]
    log_in(page, "mia", demo.PASSWORD)
    check(page, "/", "dashboard")
    expect(page.locator("#block-alerts .item")).not_to_have_count(0)
    expect(page.locator("#block-tasks .item")).not_to_have_count(0)
    expect(page.locator("#block-messages .item")).not_to_have_count(0)
    # The open menus and forms of the blocks' items.
    for summary in page.locator(".item-menu summary").all():
        summary.click()
    assert_accessible(page, "dashboard with the item menus open")
    page.locator(".user-menu summary").click()
    assert_accessible(page, "dashboard with the user menu open")

    for box in ("", "?box=snoozed", "?box=archived"):
        check(page, f"/alerts/{box}", f"alerts {box or 'inbox'}")
        check(page, f"/tasks/{box}", f"tasks {box or 'inbox'}")
    check(page, "/alerts/?feature=seminars&unread=1", "filtered alerts")
    alert = Alert.objects.filter(recipient=mia).first()
    check(page, f"/why/{alert.event_id}/", "why did I get this")
    check(page, "/messages/", "messages")
    check(page, f"/messages/{conversation_of(mia).pk}/", "a conversation")
    check(page, "/messages/settings/", "contacts and privacy")
    check(page, f"/users/{site['lee'].pk}/", "a profile")
    check(page, f"/users/{mia.pk}/", "my own profile")
    check(page, "/preferences/messaging/", "messaging preferences")
    page.get_by_label("Find a message type").fill("seminar")
    assert_accessible(page, "messaging preferences, filtered")
    check(page, f"/plans/{Plan.objects.first().pk}/", "a team member's plan")
    job = JobAssignment.objects.filter(manager=mia).first()
    check(page, f"/job_assignments/{job.pk}/", "a job assignment")


def test_a_learners_pages(page, site):
    lee = site["lee"]
    log_in(page, "lee", demo.PASSWORD)
    course = Course.objects.filter(enrolments__user=lee).first()
    pages = {
        "my learning": "/programs/my/",
        "my courses": "/courses/",
        "a course": f"/courses/{course.pk}/",
        "course request": "/courses/request/",
        "people of a course": f"/people/{course.pk}/",
        "an assignment": Assignment.objects.first().get_absolute_url(),
        "a quiz": Quiz.objects.first().get_absolute_url(),
        "a forum list": "/forums/",
        "a forum": Forum.objects.first().get_absolute_url(),
        "a discussion": Discussion.objects.first().get_absolute_url(),
        "a feedback activity": FeedbackActivity.objects.first().get_absolute_url(),
        "my badges": "/badges/",
        "seminars": "/seminars/",
        "a seminar": Seminar.objects.first().get_absolute_url(),
        "my bookings": "/seminars/bookings/",
        "plans": "/plans/",
        "new plan": "/plans/new/",
        "appraisals": "/appraisals/",
        "360 feedback": "/feedback360/",
        "new 360 feedback request": "/feedback360/new/",
    }
    attempt = Attempt.objects.filter(learner=lee).first()
    if attempt:
        pages["a quiz attempt"] = attempt.get_absolute_url()
    award = Award.objects.filter(user=lee).first()
    if award:
        pages["an award"] = award.get_absolute_url()
    for model in (Plan, Appraisal, FeedbackRequest):
        mine = model.objects.filter(learner=lee).first()
        if mine:
            pages[f"my {model._meta.verbose_name}"] = mine.get_absolute_url()
    for label, url in pages.items():
        check(page, url, label)


def test_a_trainers_and_a_responders_pages(page, site):
    log_in(page, "tara", demo.PASSWORD)
    assignment = Assignment.objects.first()
    check(page, f"/assignments/{assignment.pk}/grading/", "grading")
    submission = Submission.objects.first()
    check(page, submission.get_absolute_url(), "a submission, for the trainer")
    activity = FeedbackActivity.objects.first()
    check(page, f"/feedback/{activity.pk}/responses/", "feedback responses")
    check(page, f"/people/{activity.course_id}/", "people of a course, for the trainer")
    # A session that has started: its trainer takes the attendance.
    seminar = Seminar.objects.first()
    start = timezone.now() - timedelta(hours=4)
    past = Session.objects.create(
        seminar=seminar, starts_at=start, ends_at=start + timedelta(hours=2), capacity=5
    )
    SessionTrainer.objects.create(session=past, trainer=site["tara"])
    booking = Booking.objects.create(
        session=past, user=site["lou"], status=Booking.Status.CONFIRMED
    )
    check(page, seminar.get_absolute_url(), "a seminar, for its trainer")
    page.get_by_role("link", name="Take attendance").first.click()
    assert_accessible(page, "a session's attendance")
    page.get_by_label(site["lou"].display_name).select_option("fully")
    page.get_by_role("button", name="Save attendance").click()
    page.get_by_text("Attendance saved for 1 learner(s).").wait_for()
    booking.refresh_from_db()
    assert booking.attendance == Booking.Attendance.FULLY

    responder = Responder.objects.filter(user__isnull=False, answered_at__isnull=True).first()
    page.context.clear_cookies()
    log_in(page, responder.user.username, demo.PASSWORD)
    check(page, f"/feedback360/{responder.request_id}/respond/", "360 feedback answer form")
    page.context.clear_cookies()
    outsider = Responder.objects.create(request=responder.request, email="partner@example.org")
    check(page, f"/feedback360/external/{token_for(outsider)}/", "360 feedback, by email link")
    check(page, "/feedback360/external/not-a-token/", "360 feedback, a bad link", status=400)


ADMIN_PAGES = [
    "/admin/",
    "/admin/notifications/messagetype/",
    "/admin/notifications/messagetemplate/",
    "/admin/notifications/emaildelivery/",
    "/admin/notifications/sitemessaging/",
    "/admin/appraisals/appraisal/",
    "/admin/audiences/audience/",
    "/admin/courses/course/",
    "/admin/courses/enrolment/",
    "/admin/courses/courserequest/",
    "/admin/feedback/feedbackactivity/",
    "/admin/programs/program/",
    "/admin/programs/assignment/",
    "/admin/programs/assignmentexception/",
    "/admin/seminars/seminar/",
    "/admin/seminars/session/",
    "/admin/seminars/booking/",
    "/admin/hr_import/hrimportrun/",
    "/admin/hr_import/hrimportrun/add/",
    "/admin/hr_import/hrimportsettings/",
]


def test_the_customised_admin_pages(page, site):
    log_in(page, "admin", demo.PASSWORD)
    # A badge's page (its holders and the form to award it) is for staff, its creator and
    # its course's trainers.
    for badge in Badge.objects.all():
        check(page, badge.get_absolute_url(), f"badge {badge}")
    for url in ADMIN_PAGES:
        check(page, url, f"admin {url}", exclude=ADMIN_STOCK)
        # The first object's change form, where the list has one.
        rows = page.locator("#result_list tbody th a")
        if rows.count():
            rows.first.click()
            page.wait_for_load_state()
            assert_accessible(page, f"admin change form from {url}", exclude=ADMIN_STOCK)

    # The intermediate pages of the actions that have their own templates.
    for url, action, label in [
        ("/admin/programs/program/", "assign", "assign learners"),
        ("/admin/courses/courserequest/", "reject", "reject course requests"),
    ]:
        page.goto(url)
        page.locator("input.action-select").first.check()
        page.locator("select[name=action]").select_option(action)
        page.get_by_role("button", name="Go").click()
        page.wait_for_load_state()
        expect(page.locator("input[name=apply]")).to_be_visible()
        assert_accessible(page, f"admin action: {label}", exclude=ADMIN_STOCK)
    assert Program.objects.exists() and CourseRequest.objects.exists()
