"""Learning plans: approval of plans and items from the manager's tasks, and the alert every
change of state, comment and completion sends to the other party."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts.actions import InboxError, act_on_task
from alerts.models import Alert
from features.courses.factories import CourseFactory
from features.plans import actions
from features.plans.factories import CompetencyFactory
from features.plans.models import Plan, PlanItem
from features.plans.tests.conftest import act

KINDS = ["course", "competency", "objective"]


def received(key):
    rows = Alert.objects.filter(key=key).select_related("recipient")
    return {row.recipient.username: row.kind for row in rows}


def item_of(plan, kind):
    return plan.items.get(kind=kind)


def act_pk(user, pk, action):
    return act_on_task(user, pk, action, "")


# Plans ------------------------------------------------------------------------------------


def test_asking_approval_tasks_every_manager_and_emails_them(
    draft, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.request_plan_approval(draft, people["lee"], "Please!")
    assert received("plans.plan_requested") == {"mia": "task", "tom": "task"}
    event = Alert.objects.filter(key="plans.plan_requested").first().event
    assert event.context["comment"] == "Please!" and event.url == f"/plans/{draft.pk}/"
    assert sorted(m.to[0] for m in mail.outbox) == ["mia@example.com", "tom@example.com"]
    draft.refresh_from_db()
    assert draft.status == Plan.Status.PENDING
    assert set(draft.items.values_list("approval", flat=True)) == {"pending"}


def test_the_manager_approves_from_the_task_and_the_learner_is_told(draft, people):
    actions.request_plan_approval(draft, people["lee"])
    task = act(people["tom"], "plans.plan_requested", "approve", "Well planned")
    assert task.action == "approve"
    # One answer closes the task for both managers.
    assert not Alert.objects.filter(kind="task", done_at__isnull=True).exists()
    assert received("plans.plan_approved") == {"lee": "alert"}
    event = Alert.objects.get(key="plans.plan_approved").event
    assert event.context["comment"] == "Well planned" and event.sender == people["tom"]
    draft.refresh_from_db()
    assert draft.status == Plan.Status.APPROVED
    assert set(draft.items.values_list("approval", flat=True)) == {"approved"}


def test_the_manager_declines_with_a_reason_and_the_learner_asks_again(draft, people):
    actions.request_plan_approval(draft, people["lee"])
    act(people["mia"], "plans.plan_requested", "decline", "Too much at once")
    assert received("plans.plan_declined") == {"lee": "alert"}
    assert Alert.objects.get(key="plans.plan_declined").event.context["reason"] == (
        "Too much at once"
    )
    draft.refresh_from_db()
    assert draft.status == Plan.Status.DECLINED
    assert set(draft.items.values_list("approval", flat=True)) == {"draft"}
    actions.request_plan_approval(draft, people["lee"])
    assert Alert.objects.filter(key="plans.plan_requested", done_at__isnull=True).count() == 2


@pytest.mark.links_gone("it deletes the plan")
def test_a_task_for_a_deleted_plan_is_closed_and_cannot_be_acted_on(draft, people):
    actions.request_plan_approval(draft, people["lee"])
    task = Alert.objects.get(key="plans.plan_requested", recipient=people["mia"])
    actions.delete_plan(draft, people["lee"])
    task.refresh_from_db()
    assert task.done_at and task.action == "deleted"
    with pytest.raises(InboxError, match="already"):
        act_pk(people["mia"], task.pk, "approve")
    assert not Alert.objects.filter(key="plans.plan_approved").exists()


def test_the_handler_refuses_a_plan_no_longer_awaiting_approval(draft, people):
    actions.request_plan_approval(draft, people["lee"])
    task = Alert.objects.get(key="plans.plan_requested", recipient=people["mia"])
    Plan.objects.filter(pk=draft.pk).update(status=Plan.Status.DRAFT)
    with pytest.raises(InboxError, match="not awaiting approval"):
        act_pk(people["mia"], task.pk, "approve")
    task.refresh_from_db()
    assert task.done_at is None
    assert not Alert.objects.filter(key="plans.plan_approved").exists()


@pytest.mark.parametrize(
    "who, change, error",
    [
        ("lee", lambda p: p.items.all().delete(), "Add a course"),
        ("lee", lambda p: Plan.objects.filter(pk=p.pk).update(status="approved"), "cannot be"),
        ("mia", lambda p: None, "Only the plan's learner"),
        ("lee", "no manager", "no manager"),
    ],
)
def test_a_plan_that_cannot_be_sent_is_refused_and_sends_nothing(draft, people, who, change, error):
    if change == "no manager":
        people["lee"].job_assignments.all().delete()
    else:
        change(draft)
    with pytest.raises(actions.PlanError, match=error):
        actions.request_plan_approval(draft, people[who])
    assert not Alert.objects.exists()


def test_updates_by_one_party_tell_the_other(draft, people):
    actions.update_plan(draft, people["lee"], name="Lead a team", description="")
    assert not Alert.objects.exists()  # a draft nobody was asked about yet
    actions.update_plan(draft, people["mia"], name="Lead a team", description="x", comment="Hi")
    assert received("plans.plan_updated") == {"lee": "alert", "tom": "alert"}
    Alert.objects.all().delete()
    actions.request_plan_approval(draft, people["lee"])
    actions.update_plan(draft, people["lee"], name="Lead a team well", description="")
    assert received("plans.plan_updated") == {"mia": "alert", "tom": "alert"}
    with pytest.raises(actions.PlanError, match="Only the plan's learner and their managers"):
        actions.update_plan(draft, people["olive"], name="Mine now", description="")
    with pytest.raises(actions.PlanError, match="Write the plan's name"):
        actions.update_plan(draft, people["lee"], name=" ", description="")


@pytest.mark.links_gone("it deletes the plans")
def test_deleting_tells_the_other_party(draft, approved, people):
    actions.delete_plan(approved, people["mia"])
    assert received("plans.plan_deleted") == {"lee": "alert", "tom": "alert"}
    assert not Plan.objects.exists()


def test_deleting_a_draft_tells_no_manager(draft, people):
    actions.delete_plan(draft, people["lee"])
    assert not Alert.objects.exists() and not Plan.objects.exists()


def test_a_comment_goes_to_the_other_party(approved, people):
    actions.comment_on_plan(approved, people["lee"], "Started the course today.")
    assert received("plans.plan_comment") == {"mia": "alert", "tom": "alert"}
    Alert.objects.all().delete()
    actions.comment_on_plan(approved, people["mia"], "Great!")
    assert received("plans.plan_comment") == {"lee": "alert", "tom": "alert"}
    assert Alert.objects.filter(key="plans.plan_comment").first().event.context["comment"] == (
        "Great!"
    )
    with pytest.raises(actions.PlanError, match="Write the comment"):
        actions.comment_on_plan(approved, people["lee"], "  ")
    with pytest.raises(actions.PlanError, match="Only the plan's learner"):
        actions.comment_on_plan(approved, people["olive"], "Hello")
    assert approved.comments.count() == 2


def test_completing_the_last_item_completes_the_plan_for_both_sides(approved, people):
    for kind in ["course", "competency"]:
        actions.complete_item(item_of(approved, kind), people["lee"])
    assert not Alert.objects.filter(key="plans.plan_completed").exists()
    actions.complete_item(item_of(approved, "objective"), people["lee"])
    assert received("plans.plan_completed") == {"lee": "alert", "mia": "alert", "tom": "alert"}
    approved.refresh_from_db()
    assert approved.status == Plan.Status.COMPLETED and approved.completed_at
    with pytest.raises(actions.PlanError, match="Only an approved plan"):
        actions.complete_plan(approved, people["lee"])
    with pytest.raises(actions.PlanError, match="completed plan cannot be changed"):
        actions.update_plan(approved, people["lee"], name="Again", description="")


def test_the_plan_is_completed_by_hand(approved, people):
    actions.complete_plan(approved, people["mia"])
    assert received("plans.plan_completed") == {"lee": "alert", "mia": "alert", "tom": "alert"}
    with pytest.raises(actions.PlanError, match="Only an approved plan"):
        actions.complete_plan(approved, people["mia"])
    assert Alert.objects.filter(key="plans.plan_completed").count() == 3


# Items ------------------------------------------------------------------------------------


def add_to_approved(plan, lee, kind):
    extra = {
        "course": {"course": CourseFactory(full_name="Budgets")},
        "competency": {"competency": CompetencyFactory(name="Negotiation")},
        "objective": {"name": "Write a budget"},
    }[kind]
    return actions.add_item(plan, lee, kind=kind, comment="Useful", **extra)


@pytest.mark.parametrize("kind", KINDS)
def test_an_item_added_to_an_approved_plan_asks_the_managers(approved, people, kind):
    item = add_to_approved(approved, people["lee"], kind)
    assert received("plans.item_requested") == {"mia": "task", "tom": "task"}
    context = Alert.objects.filter(key="plans.item_requested").first().event.context
    assert context["item"] == item.title and context["item_type"] == kind
    assert item.approval == PlanItem.Approval.PENDING


@pytest.mark.parametrize("kind", KINDS)
def test_approving_an_item_from_the_task_tells_the_learner(approved, people, kind):
    item = add_to_approved(approved, people["lee"], kind)
    act(people["mia"], "plans.item_requested", "approve", "Yes")
    assert received(f"plans.{kind}_approved") == {"lee": "alert"}
    context = Alert.objects.get(key=f"plans.{kind}_approved").event.context
    assert context == {"plan": approved.name, "item": item.title, "comment": "Yes"}
    item.refresh_from_db()
    assert item.approval == PlanItem.Approval.APPROVED


@pytest.mark.parametrize("kind", KINDS)
def test_declining_an_item_tells_the_learner_who_may_ask_again(approved, people, kind):
    item = add_to_approved(approved, people["lee"], kind)
    act(people["tom"], "plans.item_requested", "decline", "Not now")
    assert received(f"plans.{kind}_declined") == {"lee": "alert"}
    assert Alert.objects.get(key=f"plans.{kind}_declined").event.context["reason"] == "Not now"
    actions.request_item_approval(item, people["lee"], "Please reconsider")
    assert Alert.objects.filter(key="plans.item_requested", done_at__isnull=True).count() == 2


@pytest.mark.parametrize("kind", KINDS)
def test_completing_an_item_tells_the_managers_or_the_learner(approved, people, kind):
    actions.complete_item(item_of(approved, kind), people["lee"])
    assert received(f"plans.{kind}_completed") == {"mia": "alert", "tom": "alert"}
    Alert.objects.all().delete()
    other = add_to_approved(approved, people["lee"], kind)
    act(people["mia"], "plans.item_requested", "approve")
    actions.complete_item(other, people["mia"])
    assert received(f"plans.{kind}_completed") == {"lee": "alert", "tom": "alert"}
    with pytest.raises(actions.PlanError, match="already complete"):
        actions.complete_item(other, people["lee"])


@pytest.mark.parametrize("kind", KINDS)
def test_updating_an_item_tells_the_other_party(approved, people, kind):
    item = item_of(approved, kind)
    due = timezone.now() + timedelta(days=30)
    actions.update_item(item, people["lee"], due_at=due, comment="New date")
    assert received(f"plans.{kind}_updated") == {"mia": "alert", "tom": "alert"}
    event = Alert.objects.filter(key=f"plans.{kind}_updated").first().event
    assert event.context["comment"] == "New date" and event.context["learner"] == "Lee Person"
    Alert.objects.all().delete()
    actions.update_item(item, people["mia"], due_at=None)
    assert received(f"plans.{kind}_updated") == {"lee": "alert", "tom": "alert"}


def test_an_objective_status_updates_it_until_an_achieved_one_completes_it(approved, people):
    objective = item_of(approved, "objective")
    statuses = {s.name: s for s in approved.objective_scale.statuses.all()}
    actions.set_objective_status(objective, people["lee"], statuses["In progress"])
    assert received("plans.objective_updated") == {"mia": "alert", "tom": "alert"}
    actions.set_objective_status(objective, people["lee"], statuses["Achieved"])
    assert received("plans.objective_completed") == {"mia": "alert", "tom": "alert"}
    objective.refresh_from_db()
    assert objective.completed_at and objective.objective_status == statuses["Achieved"]


def test_bad_item_changes_are_refused_and_change_nothing(draft, approved, people, course):
    lee = people["lee"]
    with pytest.raises(actions.PlanError, match="already in the plan"):
        actions.add_item(approved, lee, kind="course", course=course)
    with pytest.raises(actions.PlanError, match="objective's name"):
        actions.add_item(approved, lee, kind="objective", name="")
    with pytest.raises(actions.PlanError, match="not a kind"):
        actions.add_item(approved, lee, kind="badge")
    with pytest.raises(actions.PlanError, match="Only the plan's learner"):
        actions.add_item(approved, people["mia"], kind="objective", name="Mine")
    with pytest.raises(actions.PlanError, match="approved; it cannot be removed"):
        actions.remove_item(item_of(approved, "course"), lee)
    with pytest.raises(actions.PlanError, match="Only objectives"):
        status = approved.objective_scale.statuses.first()
        actions.set_objective_status(item_of(approved, "course"), lee, status)
    with pytest.raises(actions.PlanError, match="Only a manager"):
        actions.approve_item(item_of(approved, "course"), lee)
    assert approved.items.count() == 3
    assert not Alert.objects.exists()


def test_a_pending_plan_takes_no_new_items(draft, people):
    actions.request_plan_approval(draft, people["lee"])
    with pytest.raises(actions.PlanError, match="awaits approval"):
        actions.add_item(draft, people["lee"], kind="objective", name="More")


def test_draft_items_can_be_removed_quietly(draft, people):
    actions.remove_item(item_of(draft, "objective"), people["lee"])
    assert draft.items.count() == 2 and not Alert.objects.exists()
