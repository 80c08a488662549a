"""The demo's people, for the features' demo tests (a plugin of the root conftest)."""

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
    """Every task in the inbox as (key, recipient's username), sorted."""
    return sorted(Alert.objects.filter(kind="task").values_list("key", "recipient__username"))
