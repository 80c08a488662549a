"""Fixtures shared by the course apps' tests (courses, assignments, feedback, quizzes, badges):
a course with a trainer and a learner, and the on-commit capture that sends their emails.

Each app's tests/conftest.py imports the ones its tests use, which makes them fixtures there:

    from features.courses.tests.fixtures import capture, course, learner, trainer  # noqa: F401
"""

import pytest

from accounts.factories import UserFactory
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import Enrolment


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    """Runs on-commit callbacks (the email tasks) so mail.outbox is filled."""
    return django_capture_on_commit_callbacks


@pytest.fixture
def course(db):
    return CourseFactory(full_name="Workplace safety", short_name="SAFE")


@pytest.fixture
def trainer(course):
    """Tara Trainer, enrolled in `course` as a trainer."""
    tara = UserFactory(username="tara", full_name="Tara Trainer")
    EnrolmentFactory(course=course, user=tara, role=Enrolment.Role.TRAINER)
    return tara


@pytest.fixture
def learner(course):
    """Lee Learner, enrolled in `course` as a learner."""
    lee = UserFactory(username="lee", full_name="Lee Learner")
    EnrolmentFactory(course=course, user=lee)
    return lee
