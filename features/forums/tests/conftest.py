from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.factories import UserFactory
from features.courses.factories import CourseFactory, EnrolmentFactory
from features.courses.models import Enrolment
from features.forums.models import Forum, Post, edit_window


@pytest.fixture
def course(db):
    return CourseFactory(full_name="Workplace safety", short_name="SAFETY")


@pytest.fixture
def people(course):
    """tara trains the course; lee, lou and sam learn in it; olive is not in it."""
    people = {
        "tara": UserFactory(username="tara", full_name="Tara Trainer"),
        "lee": UserFactory(username="lee", full_name="Lee Learner"),
        "lou": UserFactory(username="lou", full_name="Lou Learner"),
        "sam": UserFactory(username="sam", full_name="Sam Student"),
        "olive": UserFactory(username="olive", full_name="Olive Outsider"),
    }
    EnrolmentFactory(course=course, user=people["tara"], role=Enrolment.Role.TRAINER)
    for name in ("lee", "lou", "sam"):
        EnrolmentFactory(course=course, user=people[name])
    return people


@pytest.fixture
def forum(course):
    return Forum.objects.create(course=course, name="Safety questions", mode=Forum.Mode.AUTO)


def make_forum(course, mode, name="A forum"):
    return Forum.objects.create(course=course, name=name, mode=mode)


def after_window(extra_seconds: int = 1):
    """A moment just after every post written now has left its edit window."""
    return timezone.now() + edit_window() + timedelta(seconds=extra_seconds)


def forum_emails(to=None) -> list:
    return [
        m
        for m in mail.outbox
        if m.extra_headers.get("X-Notification-Type") == "forums.post"
        and (to is None or m.to == [to.email])
    ]


def told() -> list[str]:
    """Who got a forums.post email, by user name, sorted (to check nobody else did)."""
    return sorted(m.to[0].split("@")[0] for m in forum_emails())


def first_post(discussion) -> Post:
    return discussion.posts.order_by("created_at", "id").first()
