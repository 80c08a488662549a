"""Demo: an objective status scale, and lee's learning plan awaiting the approval of mia,
lee's manager, so mia has a task to approve or decline it."""

from features.courses.models import Course
from features.plans import actions
from features.plans.models import Competency, ObjectiveScale, ObjectiveStatus, Plan

NAME = "Become a team lead"


def load(people) -> None:
    scale, created = ObjectiveScale.objects.get_or_create(
        name="Objective progress",
        defaults={"description": "From not started to achieved."},
    )
    if created:
        ObjectiveStatus.objects.bulk_create(
            [
                ObjectiveStatus(scale=scale, name="Not started", position=1),
                ObjectiveStatus(scale=scale, name="In progress", position=2),
                ObjectiveStatus(scale=scale, name="Achieved", position=3, achieved=True),
            ]
        )
    competency, _ = Competency.objects.get_or_create(
        name="Coaching", defaults={"description": "Helps others find their own answers."}
    )
    course = Course.objects.order_by("pk").first()
    if course is None:
        course = Course.objects.create(
            full_name="Running effective meetings", short_name="PLAN-MEET"
        )
    lee = people["lee"]
    if Plan.objects.filter(learner=lee, name=NAME).exists():
        return
    plan = actions.create_plan(lee, NAME, "What I need to lead the team next year.", scale)
    actions.add_item(plan, lee, kind="course", course=course)
    actions.add_item(plan, lee, kind="competency", competency=competency)
    actions.add_item(plan, lee, kind="objective", name="Chair the Monday meeting for a month")
    actions.request_plan_approval(plan, lee, "Could we talk about it on Friday?")
