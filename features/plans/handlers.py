"""Approve and decline, from the manager's Tasks block, for plans and plan items.

Each handler runs in the acting transaction (alerts.actions.act_on_task) and calls the action;
a refusal (the plan was withdrawn, deleted or already answered) is shown to the manager.
"""

from django.utils.translation import gettext as _

from alerts.handlers import TaskRefused, task_action
from features.plans import actions
from features.plans.models import Plan, PlanItem


def _plan(event) -> Plan:
    try:
        return Plan.objects.get(pk=event.data["plan_id"])
    except Plan.DoesNotExist:
        raise TaskRefused(_("This plan no longer exists.")) from None


def _item(event) -> PlanItem:
    try:
        return PlanItem.objects.get(pk=event.data["item_id"])
    except PlanItem.DoesNotExist:
        raise TaskRefused(_("This item is no longer in the plan.")) from None


def _run(action, target, actor, comment):
    try:
        action(target, actor, comment)
    except actions.PlanError as error:
        raise TaskRefused(str(error)) from None


@task_action("plans.plan_requested", "approve")
def approve_plan(event, actor, comment):
    _run(actions.approve_plan, _plan(event), actor, comment)


@task_action("plans.plan_requested", "decline")
def decline_plan(event, actor, comment):
    _run(actions.decline_plan, _plan(event), actor, comment)


@task_action("plans.item_requested", "approve")
def approve_item(event, actor, comment):
    _run(actions.approve_item, _item(event), actor, comment)


@task_action("plans.item_requested", "decline")
def decline_item(event, actor, comment):
    _run(actions.decline_item, _item(event), actor, comment)
