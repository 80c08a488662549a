"""The demo part of this feature: it shows the feature working and loads only once."""

from features.job_assignments.tests.demo import tasks


def test_the_demo_sends_lees_plan_to_mia_once(demo_people):
    from features.plans import demo
    from features.plans.models import Plan

    demo.load(demo_people)
    demo.load(demo_people)
    assert tasks() == [("plans.plan_requested", "mia")]
    plan = Plan.objects.get()
    assert plan.status == Plan.Status.PENDING and plan.items.count() == 3
