"""The demo part of this feature: it shows the feature working and loads only once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from alerts.models import Alert
from features.job_assignments.models import JobAssignment


@pytest.fixture
def demo_people(db):
    """The people of totara_messaging.demo, with the same managers."""
    people = {"admin": AdminFactory(username="admin")}
    for name in ["mia", "tom", "tara", "lee", "lou", "sam"]:
        people[name] = UserFactory(username=name)
    for name in ["lee", "sam"]:
        JobAssignment.objects.create(user=people[name], manager=people["mia"])
    JobAssignment.objects.create(
        user=people["lou"],
        manager=people["mia"],
        temp_manager=people["tom"],
        temp_manager_expires_at=timezone.now() + timedelta(days=30),
    )
    JobAssignment.objects.create(user=people["tara"], manager=people["admin"])
    return people


def tasks():
    return sorted(Alert.objects.filter(kind="task").values_list("key", "recipient__username"))


def test_the_demo_asks_lou_and_sam_once(demo_people):
    from features.feedback360 import demo

    demo.load(demo_people)
    demo.load(demo_people)
    key = "feedback360.request"
    assert tasks() == [(key, "lou"), (key, "sam")]
