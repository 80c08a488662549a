"""The demo shows the course features working, and loading it again sends nothing new."""

from importlib import import_module

import pytest
from django.core import mail

from accounts.factories import UserFactory
from features.assignments.models import Submission
from features.badges.models import Award
from features.courses.models import Course
from features.courses.tests.helpers import emails
from features.feedback.models import FeedbackResponse
from features.quizzes.models import Attempt
from totara_messaging.demo import PEOPLE

# Only the course apps' parts of the demo, in the order `manage.py demo` runs them, so other
# features' demos do not decide this test.
LOADERS = ["courses", "assignments", "quizzes", "badges", "feedback"]


def load_demo(people):
    for app in LOADERS:
        import_module(f"features.{app}.demo").load(people)


@pytest.fixture
def people(db):
    return {
        username: UserFactory(username=username, full_name=name, is_superuser=staff, is_staff=staff)
        for username, name, _role, staff in PEOPLE
    }


def test_the_demo_builds_workplace_safety_and_sends_its_messages(people, capture):
    with capture(execute=True):
        load_demo(people)
    course = Course.objects.get(short_name="SAFETY")
    roles = {e.user.username: e.role for e in course.enrolments.select_related("user")}
    assert roles == {"tara": "trainer", "lee": "learner", "lou": "learner", "sam": "learner"}
    assert course.assignments.count() == course.quizzes.count() == 1
    assert course.feedback_activities.count() == 1 and course.badges.count() == 2
    assert Submission.objects.get().grade == "9/10"
    assert Attempt.objects.filter(state="submitted").count() == 1
    assert FeedbackResponse.objects.count() == 1
    assert Award.objects.filter(user__username="lee").count() == 2
    for key, to in [
        ("courses.manual_enrolment_expiry", ["admin@example.com", "sam@example.com"]),
        ("courses.request_created", ["admin@example.com"] * 2),
        ("courses.request_approved", ["tara@example.com"]),
        ("assignments.submitted", ["tara@example.com"]),
        ("assignments.essay_graded", ["lee@example.com"]),
        ("quizzes.submission_confirmation", ["lou@example.com"]),
        ("quizzes.submission_notification", ["tara@example.com"]),
        ("badges.recipient_notice", ["lee@example.com"] * 2),
        ("badges.creator_notice", ["admin@example.com"] * 2),
        ("feedback.submission_notice", ["admin@example.com", "tara@example.com"]),
        ("feedback.non_respondent_reminder", ["lee@example.com", "sam@example.com"]),
    ]:
        assert sorted(m.to[0] for m in emails(key)) == to, key
    mail.outbox.clear()
    with capture(execute=True):
        load_demo(people)
    assert mail.outbox == []
