"""A course completes when its learners complete the activities it requires (an assignment
graded passed, a quiz passed, a feedback submitted, a seminar fully attended), through the
pages people use; that completes course sets, programs and certifications once."""

from datetime import timedelta

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from features.assignments.factories import AssignmentFactory
from features.assignments.models import Submission
from features.badges.models import Award, Badge
from features.courses import actions as courses
from features.courses import completion
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import ActivityCompletion, Enrolment
from features.feedback import actions as feedback
from features.feedback.factories import FeedbackActivityFactory, FeedbackQuestionFactory
from features.programs import actions as programs
from features.programs.factories import CourseSetFactory, ProgramFactory
from features.programs.models import Assignment as ProgramAssignment
from features.quizzes.factories import quiz_with_questions
from features.seminars.models import Booking, Seminar, Session, SessionTrainer

pytestmark = pytest.mark.django_db


def received(key: str) -> list[str]:
    from alerts.models import Alert

    return sorted(Alert.objects.filter(key=key).values_list("recipient__username", flat=True))


@pytest.fixture
def course():
    return CourseFactory(full_name="Fire safety")


@pytest.fixture
def program(course):
    """A program whose one course set is the course: completing the course completes it."""
    program = ProgramFactory(name="Safety basics")
    CourseSetFactory(program=program, name="Core", position=1, courses=[course])
    return program


@pytest.fixture
def trainer(course):
    tara = UserFactory(username="tara", full_name="Tara Trainer")
    EnrolmentFactory(course=course, user=tara, role=Enrolment.Role.TRAINER)
    return tara


def learner(course, program, username="lee"):
    user = UserFactory(username=username, full_name=username.title())
    enrolment = EnrolmentFactory(course=course, user=user)
    programs.assign_users(program, [user], due_at=timezone.now() + timedelta(days=30))
    return user, enrolment


def completed(enrolment) -> bool:
    enrolment.refresh_from_db()
    return enrolment.completed_at is not None


def started_session(seminar, trainer=None, days_ago=1) -> Session:
    start = timezone.now() - timedelta(days=days_ago)
    session = Session.objects.create(
        seminar=seminar, starts_at=start, ends_at=start + timedelta(hours=2), capacity=50
    )
    if trainer:
        SessionTrainer.objects.create(session=session, trainer=trainer)
    return session


def book(session, users):
    return Booking.objects.bulk_create(
        [Booking(session=session, user=u, status=Booking.Status.CONFIRMED) for u in users]
    )


def test_an_assignment_graded_passed_on_the_grading_page_completes_course_and_program(
    client, course, program, trainer, django_capture_on_commit_callbacks
):
    assignment = AssignmentFactory(course=course, completion_required=True, grade_to_pass=50)
    lee, enrolment = learner(course, program)
    submission = Submission.objects.create(assignment=assignment, learner=lee, text="Done")
    client.force_login(trainer)
    url = f"/assignments/submissions/{submission.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"grade": "45", "feedback": "Nearly"})
    assert response.status_code == 302
    assert not completed(enrolment)  # 45 is below the grade to pass
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"grade": "72%", "feedback": "Good"})
    assert completed(enrolment)
    assert ProgramAssignment.objects.get(user=lee).completed_at == enrolment.completed_at
    assert received(program.key("completed")) == ["lee"]
    # Grading again completes nothing more and sends nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"grade": "90", "feedback": "Better"})
    assert received(program.key("completed")) == ["lee"]


@pytest.mark.parametrize(
    ("grade_to_pass", "grade", "passes"),
    [
        (None, "Merit", True),
        (50, "50", True),
        (50, "7.5/10", False),
        (5, "7,5/10", True),
        (50, "Pass", False),
    ],
)
def test_what_grade_passes(grade_to_pass, grade, passes):
    from features.assignments.actions import passes as passes_

    assignment = AssignmentFactory(grade_to_pass=grade_to_pass)
    assert passes_(assignment, grade) is passes


def test_a_course_needs_every_required_activity_a_quiz_passed_and_a_feedback_submitted(
    client, course, program, django_capture_on_commit_callbacks
):
    quiz, choice_question, _essay = quiz_with_questions(
        course=course, completion_required=True, pass_mark=1, attempts_allowed=0
    )
    activity = FeedbackActivityFactory(course=course, completion_required=True)
    question = FeedbackQuestionFactory(activity=activity)
    AssignmentFactory(course=course)  # not required: the course does not wait for it
    lee, enrolment = learner(course, program)
    wrong, right = choice_question.choices.order_by("pk")
    client.force_login(lee)

    def attempt(choice):
        response = client.post(f"/quizzes/{quiz.pk}/start/")
        assert response.status_code == 302
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                response.url, {"action": "submit", f"q{choice_question.pk}": choice.pk}
            )

    attempt(wrong)  # scores 0, below the pass mark
    assert not ActivityCompletion.objects.filter(user=lee).exists()
    attempt(right)
    assert completion.progress(course.pk, lee.pk) == (1, 2)
    assert not completed(enrolment)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/feedback/{activity.pk}/", {f"q{question.pk}": "4"})
    assert response.status_code == 302
    assert completed(enrolment)
    assert received(program.key("completed")) == ["lee"]


def test_a_course_that_requires_nothing_is_completed_only_by_the_admin(course, program):
    activity = FeedbackActivityFactory(course=course)
    FeedbackQuestionFactory(activity=activity, required=False)
    lee, enrolment = learner(course, program)
    feedback.submit_feedback(activity, lee, {})
    assert ActivityCompletion.objects.filter(user=lee).count() == 1  # recorded all the same
    assert not completed(enrolment)
    courses.complete_course(enrolment)
    assert completed(enrolment)


def test_the_trainer_takes_attendance_on_the_page_and_fully_attended_learners_complete(
    client, course, program, trainer, django_capture_on_commit_callbacks
):
    seminar = Seminar.objects.create(
        name="Evacuation drill", course=course, completion_required=True
    )
    session = started_session(seminar, trainer)
    lee, lee_enrolment = learner(course, program, "lee")
    lou, lou_enrolment = learner(course, program, "lou")
    lee_booking, lou_booking = book(session, [lee, lou])
    client.force_login(trainer)
    page = client.get(seminar.get_absolute_url())
    assert f"/seminars/sessions/{session.pk}/attendance" in page.content.decode()
    url = f"/seminars/sessions/{session.pk}/attendance"
    assert "Save attendance" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                f"attendance-{lee_booking.pk}": Booking.Attendance.FULLY,
                f"attendance-{lou_booking.pk}": Booking.Attendance.NO_SHOW,
            },
        )
    assert response.status_code == 302
    assert completed(lee_enrolment)
    assert not completed(lou_enrolment)
    assert received(program.key("completed")) == ["lee"]
    lou_booking.refresh_from_db()
    assert lou_booking.attendance == Booking.Attendance.NO_SHOW


def test_bad_attendance_input_changes_nothing_and_says_why(client, course, program, trainer):
    seminar = Seminar.objects.create(name="Drill", course=course, completion_required=True)
    session = started_session(seminar, trainer)
    lee, enrolment = learner(course, program)
    (booking,) = book(session, [lee])
    client.force_login(trainer)
    url = f"/seminars/sessions/{session.pk}/attendance"
    response = client.post(url, {f"attendance-{booking.pk}": "asleep"})
    assert response.status_code == 400
    assert "Not an attendance state: asleep." in response.content.decode()
    response = client.post(url, {})
    assert response.status_code == 400
    booking.refresh_from_db()
    assert booking.attendance == ""
    assert not completed(enrolment)
    # Before the session starts, and for someone who does not teach it.
    future = started_session(seminar, trainer, days_ago=-3)
    (early,) = book(future, [UserFactory()])
    response = client.post(
        f"/seminars/sessions/{future.pk}/attendance",
        {f"attendance-{early.pk}": Booking.Attendance.FULLY},
    )
    assert response.status_code == 400
    assert "once the session has started" in response.content.decode()
    client.force_login(lee)
    assert client.get(url).status_code == 404
    assert client.post(url, {f"attendance-{booking.pk}": "fully"}).status_code == 404
    booking.refresh_from_db()
    assert booking.attendance == ""


def test_the_admin_marks_bookings_fully_attended(client, course, program):
    seminar = Seminar.objects.create(name="Drill", course=course, completion_required=True)
    session = started_session(seminar)
    lee, enrolment = learner(course, program)
    (booking,) = book(session, [lee])
    client.force_login(AdminFactory())
    response = client.post(
        "/admin/seminars/booking/",
        {"action": "mark_fully_attended", "_selected_action": [booking.pk]},
    )
    assert response.status_code == 302
    assert completed(enrolment)


def _attend(trainer, size, on_commit):
    """Takes the attendance of `size` learners of a new course with a completion badge."""
    from features.seminars.actions import take_attendance

    course = CourseFactory()
    EnrolmentFactory(course=course, user=trainer, role=Enrolment.Role.TRAINER)
    seminar = Seminar.objects.create(name=f"Drill {size}", course=course, completion_required=True)
    Badge.objects.create(
        name=f"Drilled {size}",
        course=course,
        criterion=Badge.Criterion.COURSE_COMPLETION,
        active=True,
        created_by=trainer,
    )
    session = started_session(seminar, trainer)
    users = UserFactory.create_batch(size)
    EnrolmentFactory.create_batch(size, course=course, user=factory.Iterator(users))
    marks = {b.pk: Booking.Attendance.FULLY for b in book(session, users)}
    with on_commit(execute=True), CaptureQueriesContext(connection) as queries:
        take_attendance(session, trainer, marks)
    return len(queries), users


def test_taking_attendance_costs_the_same_queries_for_three_learners_or_thirty(
    trainer, django_capture_on_commit_callbacks
):
    """The course completions, the badges and their messages: a constant number of queries.
    (Programs then tell each learner in a send of their own: their texts name the learner.)"""
    few, _ = _attend(trainer, 3, django_capture_on_commit_callbacks)
    many, users = _attend(trainer, 30, django_capture_on_commit_callbacks)
    assert many == few
    assert Enrolment.objects.filter(user__in=users, completed_at__isnull=False).count() == 30
    assert Award.objects.filter(user__in=users).count() == 30
    # One send per badge, to all its new holders; one notice to its creator.
    from notifications.models import Event

    sends = Event.objects.filter(key="badges.recipient_notice").order_by("pk")
    assert list(sends.values_list("recipient_count", flat=True)) == [3, 30]
    creator = Event.objects.filter(key="badges.creator_notice")
    assert list(creator.values_list("recipient_count", flat=True)) == [1, 1]


def test_attendance_taken_twice_completes_and_tells_once(
    course, program, trainer, django_capture_on_commit_callbacks
):
    from features.seminars.actions import take_attendance

    seminar = Seminar.objects.create(name="Drill", course=course, completion_required=True)
    session = started_session(seminar, trainer)
    lee, enrolment = learner(course, program)
    (booking,) = book(session, [lee])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            take_attendance(session, trainer, {booking.pk: Booking.Attendance.FULLY})
    assert received(program.key("completed")) == ["lee"]
    assert ActivityCompletion.objects.filter(user=lee).count() == 1
    # The admin's "mark complete" afterwards changes nothing either.
    first = enrolment.completed_at if completed(enrolment) else None
    courses.complete_course(enrolment)
    enrolment.refresh_from_db()
    assert enrolment.completed_at == first
    assert received(program.key("completed")) == ["lee"]
