from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import AdminFactory, UserFactory
from alerts.actions import act_on_task
from alerts.models import Alert
from features.courses.factories import CourseFactory
from features.job_assignments.factories import JobAssignmentFactory
from features.plans import actions
from features.plans.factories import (
    CompetencyFactory,
    ObjectiveScaleFactory,
    ObjectiveStatusFactory,
)


@pytest.fixture
def people(db):
    """lee's managers are mia and, for now, tom (temporary); olive is nobody to lee."""
    users = {
        name: UserFactory(username=name, full_name=f"{name.title()} Person")
        for name in ["lee", "mia", "tom", "olive"]
    }
    users["admin"] = AdminFactory(username="admin")
    JobAssignmentFactory(
        user=users["lee"],
        manager=users["mia"],
        temp_manager=users["tom"],
        temp_manager_expires_at=timezone.now() + timedelta(days=30),
    )
    return users


@pytest.fixture
def scale(db):
    scale = ObjectiveScaleFactory(name="Progress")
    for position, (name, achieved) in enumerate(
        [("Not started", False), ("In progress", False), ("Achieved", True)]
    ):
        ObjectiveStatusFactory(scale=scale, name=name, position=position, achieved=achieved)
    return scale


@pytest.fixture
def course(db):
    return CourseFactory(full_name="Leading meetings")


@pytest.fixture
def competency(db):
    return CompetencyFactory(name="Coaching")


@pytest.fixture
def draft(people, scale, course, competency):
    """A draft plan of lee's with one item of each kind."""
    plan = actions.create_plan(people["lee"], "Become a team lead")
    lee = people["lee"]
    actions.add_item(plan, lee, kind="course", course=course)
    actions.add_item(plan, lee, kind="competency", competency=competency)
    actions.add_item(plan, lee, kind="objective", name="Run the weekly meeting")
    return plan


def act(user, key, action, comment=""):
    task = Alert.objects.get(recipient=user, key=key, done_at__isnull=True)
    return act_on_task(user, task.pk, action, comment)


@pytest.fixture
def approved(draft, people):
    actions.request_plan_approval(draft, people["lee"])
    act(people["mia"], "plans.plan_requested", "approve")
    Alert.objects.all().delete()
    draft.refresh_from_db()
    return draft
