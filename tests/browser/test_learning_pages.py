"""In Chromium: the learner's and trainer's pages of a course, each opened by a real user who
does the main thing on it, checked on the page, in the database, and in whoever is told."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.dateformat import format as date_format
from playwright.sync_api import expect

from accounts.factories import UserFactory
from alerts.models import Alert
from features.assignments.factories import AssignmentFactory
from features.assignments.models import Submission
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import CourseRequest, CourseRequestRecipient, Enrolment
from features.courses.tests.helpers import addresses, emails
from features.feedback.factories import FeedbackActivityFactory, FeedbackQuestionFactory
from features.feedback.models import FeedbackQuestion, FeedbackResponse
from features.forums import actions as forums
from features.forums.models import Forum, Post, edit_window
from features.job_assignments.factories import JobAssignmentFactory
from features.programs import actions as programs
from features.programs.factories import CourseSetFactory, ProgramFactory
from features.programs.models import Assignment, ExtensionRequest
from features.quizzes.factories import quiz_with_questions
from features.quizzes.models import Attempt

from .conftest import log_in

pytestmark = pytest.mark.browser

# A step that sends mail (Celery runs eagerly) waits for a server round trip: allow more than
# expect()'s 5 seconds on a busy machine.
SLOW = 20_000


@pytest.fixture
def course(transactional_db):
    """Workplace safety, taught by tara and learnt by lee."""
    course = CourseFactory(full_name="Workplace safety", short_name="SAFE")
    tara = UserFactory(username="tara", full_name="Tara Trainer")
    lee = UserFactory(username="lee", full_name="Lee Learner")
    EnrolmentFactory(course=course, user=tara, role=Enrolment.Role.TRAINER)
    EnrolmentFactory(course=course, user=lee, role=Enrolment.Role.LEARNER)
    course.tara, course.lee = tara, lee
    return course


# My learning


@pytest.fixture
def induction(transactional_db):
    """lee, managed by mia, is assigned the Induction program, due in 10 days."""
    lee = UserFactory(username="lee", full_name="Lee Learner")
    mia = UserFactory(username="mia", full_name="Mia Manager")
    JobAssignmentFactory(user=lee, manager=mia)
    program = ProgramFactory(name="Induction")
    CourseSetFactory(program=program, name="Basics", position=1)
    due = (timezone.now() + timedelta(days=10)).replace(hour=12, minute=0, second=0, microsecond=0)
    programs.assign_users(program, [lee], due_at=due)
    return Assignment.objects.select_related("program").get(user=lee)


def open_extension_form(page, assignment):
    page.goto("/programs/my/")
    section = page.get_by_role("region", name="Induction")
    expect(section).to_contain_text(f"Due on {date_format(assignment.due_at, 'j F Y, H:i')}.")
    section.get_by_text("Ask for an extension").click()
    return section


def test_a_learner_asks_for_an_extension_and_the_manager_gets_the_task(page, induction):
    log_in(page, "lee")
    section = open_extension_form(page, induction)
    wanted = (timezone.now() + timedelta(days=30)).date()
    section.get_by_label("New due date").fill(wanted.isoformat())
    section.get_by_label("Reason").fill("On leave next week")
    section.get_by_role("button", name="Send the request to my manager").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your request for an extension of Induction was sent to your manager.", timeout=SLOW
    )
    expect(page.get_by_role("region", name="Induction")).to_contain_text(
        f"to move the due date to {date_format(wanted, 'j F Y')}; your manager has not answered"
    )
    extension = ExtensionRequest.objects.get()
    assert (extension.assignment, extension.reason) == (induction, "On leave next week")
    assert extension.requested_due_at.date() == wanted
    task = Alert.objects.get(kind=Alert.Kind.TASK, key=induction.program.key("extension_request"))
    assert task.recipient.username == "mia"
    assert task.event.data == {"request_id": extension.pk}


def test_a_past_date_is_refused_with_a_clear_error_and_nothing_is_asked(page, induction):
    log_in(page, "lee")
    section = open_extension_form(page, induction)
    date = section.get_by_label("New due date")
    date.fill((timezone.now() - timedelta(days=2)).date().isoformat())
    section.get_by_role("button", name="Send the request to my manager").click()

    section = page.get_by_role("region", name="Induction")
    expect(section.get_by_role("alert")).to_have_text(
        "That date has already passed; choose a date in the future.", timeout=SLOW
    )
    date = section.get_by_label("New due date")
    expect(date).to_have_attribute("aria-invalid", "true")
    expect(date).to_have_accessible_description(
        "That date has already passed; choose a date in the future."
    )
    assert not ExtensionRequest.objects.exists()
    assert not Alert.objects.filter(kind=Alert.Kind.TASK).exists()


# A course and its activities


def test_a_learner_sees_the_activities_of_the_course(page, course):
    assignment = AssignmentFactory(course=course, name="Hazard report")
    quiz, _, _ = quiz_with_questions(course=course, name="Safety signs")
    forum = Forum.objects.create(course=course, name="Safety questions")
    activity = FeedbackActivityFactory(course=course, name="Safety feedback")

    log_in(page, "lee")
    page.goto(f"/courses/{course.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Workplace safety")
    for section, name, url in [
        ("Assignments", "Hazard report", assignment.get_absolute_url()),
        ("Quizzes", "Safety signs", quiz.get_absolute_url()),
        ("Forums", "Safety questions", f"/forums/{forum.pk}/"),
        ("Feedback", "Safety feedback", activity.get_absolute_url()),
    ]:
        link = page.get_by_role("region", name=section).get_by_role("link", name=name)
        expect(link).to_have_attribute("href", url)
    expect(page.get_by_role("region", name="Trainers")).to_contain_text("Tara Trainer")

    page.get_by_role("link", name="Hazard report").click()
    expect(page.get_by_role("heading", name="Hazard report")).to_be_visible()


# Assignments


def test_a_learner_submits_text_and_a_file_and_the_trainers_are_told(
    page, course, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    assignment = AssignmentFactory(course=course, name="Hazard report", max_files=2, max_file_mb=1)

    log_in(page, "lee")
    page.goto(assignment.get_absolute_url())
    page.get_by_label("Your answer").fill("The stairs are unsafe.")
    page.get_by_label("Files (optional)").set_input_files(
        {"name": "report.txt", "mimeType": "text/plain", "buffer": b"Loose handrail, floor 2."}
    )
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your submission to Hazard report is saved.", timeout=SLOW
    )
    mine = page.get_by_role("region", name="Your submission")
    expect(mine).to_contain_text("The stairs are unsafe.")
    expect(mine.get_by_role("link", name="report.txt")).to_be_visible()
    submission = Submission.objects.get()
    assert (submission.learner, submission.text) == (course.lee, "The stairs are unsafe.")
    stored = submission.files.get()
    assert (stored.name, stored.size) == ("report.txt", 24)
    assert (settings.MEDIA_ROOT / stored.file.name).read_bytes() == b"Loose handrail, floor 2."
    [to_tara] = emails("assignments.submitted", course.tara)
    assert to_tara.subject == "Lee Learner submitted Hazard report"
    assert addresses("assignments.submitted") == [course.tara.email]


# Quizzes


def test_a_learner_takes_a_quiz_and_gets_the_confirmation(page, course):
    quiz, _, _ = quiz_with_questions(course=course, name="Safety signs", attempts_allowed=1)

    log_in(page, "lee")
    page.goto(quiz.get_absolute_url())
    page.get_by_role("button", name="Start an attempt").click()
    page.get_by_role("group", name="Which sign means danger?").get_by_label("Red").check()
    page.get_by_label("Describe a safe workplace.").fill("Clear exits.")
    page.get_by_role("button", name="Submit", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text(
        "Your attempt is submitted. A confirmation is on its way.", timeout=SLOW
    )
    expect(page.get_by_text("Score: 1 / 1")).to_be_visible()
    attempt = Attempt.objects.get()
    assert (attempt.learner, attempt.state, attempt.score) == (
        course.lee,
        Attempt.State.SUBMITTED,
        1,
    )
    assert {a.text or a.choice.text for a in attempt.answers.select_related("choice")} == {
        "Red",
        "Clear exits.",
    }
    [confirmation] = emails("quizzes.submission_confirmation", course.lee)
    assert "Safety signs" in confirmation.subject
    assert addresses("quizzes.submission_notification") == [course.tara.email]


# Forums


def test_a_learner_starts_a_discussion_and_the_subscribers_get_it_after_the_edit_window(
    page, course
):
    forum = Forum.objects.create(course=course, name="Safety questions", mode=Forum.Mode.AUTO)

    log_in(page, "lee")
    page.goto(f"/forums/{forum.pk}/")
    page.get_by_label("Subject").fill("Blocked fire exit")
    page.get_by_label("Message").fill("The exit by the canteen is blocked by boxes.")
    page.get_by_role("button", name="Post to forum").click()

    expect(page.get_by_role("status")).to_contain_text("Your post is saved.", timeout=SLOW)
    expect(page.get_by_role("heading", level=1)).to_have_text("Blocked fire exit")
    expect(page.get_by_role("article")).to_contain_text(
        "The exit by the canteen is blocked by boxes."
    )
    expect(page.get_by_role("article")).to_contain_text("Lee Learner")
    post = Post.objects.select_related("discussion").get()
    assert (post.author, post.discussion.subject, post.discussion.forum) == (
        course.lee,
        "Blocked fire exit",
        forum,
    )
    # The post is mailed by the scheduled job once its edit window has passed.
    forums.mail_posts(now=timezone.now() + edit_window() + timedelta(seconds=1))
    assert addresses("forums.post") == [course.tara.email]


# Feedback


def test_a_learner_answers_a_feedback_activity_and_the_trainers_are_told(page, course):
    activity = FeedbackActivityFactory(
        course=course, name="Safety feedback", notify_submissions=True
    )
    FeedbackQuestionFactory(activity=activity, text="How useful was it?", position=1)
    FeedbackQuestionFactory(
        activity=activity,
        text="Anything to add?",
        kind=FeedbackQuestion.Kind.TEXT,
        required=False,
        position=2,
    )

    log_in(page, "lee")
    page.goto(activity.get_absolute_url())
    page.get_by_role("group", name="How useful was it?").get_by_label("4", exact=True).check()
    page.get_by_label("Anything to add?").fill("More practice, please.")
    page.get_by_role("button", name="Send my feedback").click()

    expect(page.get_by_role("status")).to_contain_text(
        "Thank you: your feedback is saved.", timeout=SLOW
    )
    expect(page.get_by_text("You answered this feedback on")).to_be_visible()
    response = FeedbackResponse.objects.get()
    assert response.respondent == course.lee
    assert sorted(response.answers.values_list("question__text", "value")) == [
        ("Anything to add?", "More practice, please."),
        ("How useful was it?", "4"),
    ]
    assert addresses("feedback.submission_notice") == [course.tara.email]


# Course requests


def test_a_course_request_tells_the_configured_recipients(page, transactional_db):
    CourseFactory(full_name="Workplace safety", short_name="SAFE")
    UserFactory(username="tara", full_name="Tara Trainer")
    anna = UserFactory(username="anna", full_name="Anna Approver", is_staff=True, is_superuser=True)
    CourseRequestRecipient.objects.create(user=anna)

    log_in(page, "tara")
    page.goto("/courses/request/")
    page.get_by_label("Course full name").fill("First aid")
    page.get_by_label("Short name").fill("SAFE")
    page.get_by_label("Why do you need this course?").fill("New regulation")
    page.get_by_role("button", name="Send the request").click()

    # A short name in use is refused, next to the field, and nobody is told.
    short_name = page.get_by_label("Short name")
    expect(short_name).to_have_accessible_description(
        "A short code, unique on the site. A course with the short name SAFE exists.",
        timeout=SLOW,
    )
    expect(short_name).to_have_attribute("aria-invalid", "true")
    assert not CourseRequest.objects.exists()
    assert emails("courses.request_created") == []

    short_name.fill("AID")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text("Your request is sent.", timeout=SLOW)
    expect(page.get_by_role("row", name="First aid")).to_contain_text("Pending")
    request = CourseRequest.objects.get()
    assert (request.requester.username, request.short_name, request.reason) == (
        "tara",
        "AID",
        "New regulation",
    )
    [to_anna] = emails("courses.request_created", anna)
    assert to_anna.subject == "New course request: First aid"
    assert addresses("courses.request_created") == [anna.email]
