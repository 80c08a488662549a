"""What learners, managers and admins do with learning plans, and the message each change sends.

"The manager" is every current manager and temporary manager of the plan's learner
(job_assignments.managers_of). "The other party" of a change is the learner and the managers,
less whoever acted (send() leaves the sender out).

Messages (features/plans/messages.py):
- plans.plan_requested (task, approve/decline): request_plan_approval -> the managers.
- plans.item_requested (task, approve/decline): add_item to an approved plan, or
  request_item_approval for a declined item -> the managers.
- plans.plan_approved / plan_declined: approve_plan / decline_plan (the task's handlers) -> learner.
- plans.plan_updated: update_plan -> the other party (a learner's edits to a plan still in draft
  tell nobody: no manager has been asked yet).
- plans.plan_deleted: delete_plan -> the other party (the managers only once the plan was sent to
  them for approval).
- plans.plan_comment: comment_on_plan -> the other party.
- plans.plan_completed: complete_plan, or completing the last open item -> learner and managers.
- plans.<kind>_approved / _declined: approve_item / decline_item (handlers) -> learner.
- plans.<kind>_updated: update_item, or a new objective status that is not an achieved one ->
  the other party.
- plans.<kind>_completed: complete_item, an achieved objective status, or the course completed in
  the courses app (scheduled.py) -> the managers, and the learner when someone else did it.
- plans.objective_status_created / _edited / _deleted: save_objective_status /
  delete_objective_status (the admin) -> the learners whose plans in progress use the scale, or,
  when no such plan exists, the site admins.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from alerts import actions as inbox
from features.courses.models import Enrolment
from features.job_assignments.models import managers_of
from features.plans.models import (
    ObjectiveScale,
    ObjectiveStatus,
    Plan,
    PlanComment,
    PlanItem,
)

TEXT_MAX_LENGTH = 2_000
TASK_KEYS = ("plans.plan_requested", "plans.item_requested")
IN_PROGRESS = (Plan.Status.DRAFT, Plan.Status.PENDING, Plan.Status.APPROVED, Plan.Status.DECLINED)


class PlanError(ValueError):
    """A change that cannot be made; the message says why. Nothing was changed."""


# Who may do what ---------------------------------------------------------------------------


def managers_of_plan(plan: Plan) -> set[int]:
    return managers_of([plan.learner_id])[plan.learner_id]


def can_view(user, plan: Plan) -> bool:
    return user.pk == plan.learner_id or user.pk in managers_of_plan(plan)


def _check_party(plan: Plan, actor) -> set[int]:
    """Returns the plan's managers; raises PlanError unless actor is the learner or one."""
    managers = managers_of_plan(plan)
    if actor.pk != plan.learner_id and actor.pk not in managers:
        raise PlanError(_("Only the plan's learner and their managers can change it."))
    return managers


def _check_learner(plan: Plan, actor) -> set[int]:
    if actor.pk != plan.learner_id:
        raise PlanError(_("Only the plan's learner can do this."))
    return managers_of_plan(plan)


def _check_manager(plan: Plan, actor) -> set[int]:
    managers = managers_of_plan(plan)
    if actor.pk not in managers:
        raise PlanError(
            _("Only a manager of %(learner)s can do this.") % {"learner": plan.learner.display_name}
        )
    return managers


def _text(value: str, what: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise PlanError(_("Write the %(what)s.") % {"what": what})
    if len(value) > TEXT_MAX_LENGTH:
        raise PlanError(
            _("The %(what)s is longer than %(max)s characters.")
            % {"what": what, "max": format(TEXT_MAX_LENGTH, ",")}
        )
    return value


def _lock(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("learner").get(pk=plan.pk)


def _lock_item(item: PlanItem) -> PlanItem:
    item = (
        PlanItem.objects.select_for_update(of=("self",))
        .select_related("plan", "plan__learner", "course", "competency")
        .get(pk=item.pk)
    )
    return item


def _send(key, recipients, plan: Plan, actor, **context):
    notifications.send(
        key,
        sorted(set(recipients)),
        context={"plan": plan.name, **context},
        sender=actor,
        url=plan.get_absolute_url(),
        data={"plan_id": plan.pk},
    )


def _item_context(item: PlanItem) -> dict:
    return {"item": item.title, "learner": item.plan.learner.display_name}


# Plans -------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(learner, name: str, description: str = "", scale=None) -> Plan:
    """A new draft plan for the learner, using `scale` (or the first scale) for objectives."""
    name = _text(name, _("plan's name"), required=True)[:200]
    scale = scale or ObjectiveScale.objects.order_by("pk").first()
    return Plan.objects.create(
        learner=learner,
        name=name,
        description=_text(description, _("description")),
        objective_scale=scale,
    )


@transaction.atomic
def update_plan(plan: Plan, actor, *, name: str, description: str, comment: str = "") -> Plan:
    """Renames or redescribes a plan. Raises PlanError for a completed plan or an outsider."""
    plan = _lock(plan)
    managers = _check_party(plan, actor)
    if plan.status == Plan.Status.COMPLETED:
        raise PlanError(_("A completed plan cannot be changed."))
    plan.name = _text(name, _("plan's name"), required=True)[:200]
    plan.description = _text(description, _("description"))
    comment = _text(comment, _("comment"))
    plan.save(update_fields=["name", "description", "updated_at"])
    if plan.status != Plan.Status.DRAFT or actor.pk != plan.learner_id:
        _send(
            "plans.plan_updated",
            {plan.learner_id} | managers,
            plan,
            actor,
            learner=plan.learner.display_name,
            comment=comment or None,
        )
    return plan


@transaction.atomic
def delete_plan(plan: Plan, actor) -> None:
    """Deletes a plan and closes its open tasks. Raises PlanError for an outsider."""
    plan = _lock(plan)
    managers = _check_party(plan, actor)
    told = {plan.learner_id} | (managers if plan.status != Plan.Status.DRAFT else set())
    _close_tasks(plan.pk, actor=actor, action="deleted")
    _send("plans.plan_deleted", told, plan, actor, learner=plan.learner.display_name)
    plan.delete()


@transaction.atomic
def request_plan_approval(plan: Plan, actor, comment: str = "") -> Plan:
    """The learner sends a draft (or declined) plan to their managers for approval; its
    unapproved items go with it. Raises PlanError if the plan is not a draft or declined, has
    no items, or the learner has no manager."""
    plan = _lock(plan)
    managers = _check_learner(plan, actor)
    if plan.status not in (Plan.Status.DRAFT, Plan.Status.DECLINED):
        raise PlanError(
            _("The plan is %(status)s; it cannot be sent.")
            % {"status": plan.get_status_display().lower()}
        )
    if not plan.items.exists():
        raise PlanError(_("Add a course, competency or objective before asking for approval."))
    if not managers:
        raise PlanError(_("You have no manager to approve your plan."))
    comment = _text(comment, _("comment"))
    plan.status = Plan.Status.PENDING
    plan.save(update_fields=["status", "updated_at"])
    plan.items.exclude(approval=PlanItem.Approval.APPROVED).update(
        approval=PlanItem.Approval.PENDING
    )
    _send(
        "plans.plan_requested",
        managers,
        plan,
        actor,
        learner=plan.learner.display_name,
        comment=comment or None,
    )
    return plan


def _decide_plan(plan: Plan, actor, approve: bool, comment: str) -> Plan:
    plan = _lock(plan)
    _check_manager(plan, actor)
    if plan.status != Plan.Status.PENDING:
        raise PlanError(
            _("The plan is %(status)s, not awaiting approval.")
            % {"status": plan.get_status_display().lower()}
        )
    comment = _text(comment, _("comment"))
    pending = plan.items.filter(approval=PlanItem.Approval.PENDING)
    if approve:
        plan.status = Plan.Status.APPROVED
        plan.approved_at = timezone.now()
        pending.update(approval=PlanItem.Approval.APPROVED)
        plan.save(update_fields=["status", "approved_at", "updated_at"])
        _send("plans.plan_approved", [plan.learner_id], plan, actor, comment=comment or None)
    else:
        plan.status = Plan.Status.DECLINED
        pending.update(approval=PlanItem.Approval.DRAFT)
        plan.save(update_fields=["status", "updated_at"])
        _send("plans.plan_declined", [plan.learner_id], plan, actor, reason=comment or None)
    return plan


@transaction.atomic
def approve_plan(plan: Plan, actor, comment: str = "") -> Plan:
    """A manager approves a plan awaiting approval, with the items sent with it."""
    return _decide_plan(plan, actor, True, comment)


@transaction.atomic
def decline_plan(plan: Plan, actor, reason: str = "") -> Plan:
    """A manager declines a plan awaiting approval; the learner may change it and ask again."""
    return _decide_plan(plan, actor, False, reason)


@transaction.atomic
def comment_on_plan(plan: Plan, actor, body: str) -> PlanComment:
    plan = _lock(plan)
    managers = _check_party(plan, actor)
    body = _text(body, _("comment"), required=True)
    comment = PlanComment.objects.create(plan=plan, author=actor, body=body)
    _send(
        "plans.plan_comment",
        {plan.learner_id} | managers,
        plan,
        actor,
        learner=plan.learner.display_name,
        comment=body,
    )
    return comment


@transaction.atomic
def complete_plan(plan: Plan, actor) -> Plan:
    """The learner or a manager marks an approved plan complete."""
    plan = _lock(plan)
    managers = _check_party(plan, actor)
    if plan.status != Plan.Status.APPROVED:
        raise PlanError(_("Only an approved plan can be completed."))
    _complete_plan(plan, managers)
    return plan


def _complete_plan(plan: Plan, managers: set[int]) -> None:
    plan.status = Plan.Status.COMPLETED
    plan.completed_at = timezone.now()
    plan.save(update_fields=["status", "completed_at", "updated_at"])
    # Both sides hear of it, whoever completed it: no sender.
    _send(
        "plans.plan_completed",
        {plan.learner_id} | managers,
        plan,
        None,
        learner=plan.learner.display_name,
        completion_date=plan.completed_at,
    )


# Items -------------------------------------------------------------------------------------


@transaction.atomic
def add_item(
    plan: Plan,
    actor,
    *,
    kind: str,
    course=None,
    competency=None,
    name: str = "",
    description: str = "",
    comment: str = "",
) -> PlanItem:
    """The learner adds a course, competency or objective to their plan.

    In a draft or declined plan the item goes with the plan's next request; in an approved plan
    it is sent to the managers for approval at once. Raises PlanError while the plan awaits
    approval or is complete, for a course or competency already in it, or a missing name.
    """
    plan = _lock(plan)
    managers = _check_learner(plan, actor)
    if plan.status == Plan.Status.PENDING:
        raise PlanError(_("The plan awaits approval; add items once your manager has answered."))
    if plan.status == Plan.Status.COMPLETED:
        raise PlanError(_("The plan is complete; it takes no new items."))
    item = PlanItem(plan=plan, kind=kind)
    if kind == PlanItem.Kind.COURSE:
        if course is None:
            raise PlanError(_("Choose a course."))
        if plan.items.filter(course=course).exists():
            raise PlanError(_("%(course)s is already in the plan.") % {"course": course.full_name})
        item.course = course
    elif kind == PlanItem.Kind.COMPETENCY:
        if competency is None:
            raise PlanError(_("Choose a competency."))
        if plan.items.filter(competency=competency).exists():
            raise PlanError(
                _("%(competency)s is already in the plan.") % {"competency": competency.name}
            )
        item.competency = competency
    elif kind == PlanItem.Kind.OBJECTIVE:
        item.name = _text(name, _("objective's name"), required=True)[:200]
        item.description = _text(description, _("description"))
    else:
        raise PlanError(_("%(kind)s is not a kind of plan item.") % {"kind": repr(kind)})
    comment = _text(comment, _("comment"))
    item.save()
    if plan.status == Plan.Status.APPROVED:
        _request_item(item, actor, managers, comment)
    return item


def _request_item(item: PlanItem, actor, managers: set[int], comment: str) -> None:
    if not managers:
        raise PlanError(_("You have no manager to approve it."))
    item.approval = PlanItem.Approval.PENDING
    item.save(update_fields=["approval"])
    plan = item.plan
    notifications.send(
        "plans.item_requested",
        sorted(managers),
        context={
            "plan": plan.name,
            "learner": plan.learner.display_name,
            "item": item.title,
            "item_type": item.get_kind_display().lower(),
            "comment": comment or None,
        },
        sender=actor,
        url=plan.get_absolute_url(),
        data={"plan_id": plan.pk, "item_id": item.pk},
    )


@transaction.atomic
def request_item_approval(item: PlanItem, actor, comment: str = "") -> PlanItem:
    """The learner asks again for a declined item (or a draft one) of an approved plan."""
    item = _lock_item(item)
    managers = _check_learner(item.plan, actor)
    if item.plan.status != Plan.Status.APPROVED:
        raise PlanError(_("Items are sent with the plan until the plan is approved."))
    if item.approval not in (PlanItem.Approval.DRAFT, PlanItem.Approval.DECLINED):
        raise PlanError(
            _("This item is %(status)s.") % {"status": item.get_approval_display().lower()}
        )
    _request_item(item, actor, managers, _text(comment, _("comment")))
    return item


def _decide_item(item: PlanItem, actor, approve: bool, comment: str) -> PlanItem:
    item = _lock_item(item)
    _check_manager(item.plan, actor)
    if item.approval != PlanItem.Approval.PENDING or item.plan.status != Plan.Status.APPROVED:
        raise PlanError(_("%(title)s is not awaiting approval.") % {"title": item.title})
    comment = _text(comment, _("comment"))
    item.approval = PlanItem.Approval.APPROVED if approve else PlanItem.Approval.DECLINED
    item.save(update_fields=["approval"])
    extra = {"comment": comment or None} if approve else {"reason": comment or None}
    _send(
        f"plans.{item.kind}_{'approved' if approve else 'declined'}",
        [item.plan.learner_id],
        item.plan,
        actor,
        item=item.title,
        **extra,
    )
    return item


@transaction.atomic
def approve_item(item: PlanItem, actor, comment: str = "") -> PlanItem:
    return _decide_item(item, actor, True, comment)


@transaction.atomic
def decline_item(item: PlanItem, actor, reason: str = "") -> PlanItem:
    return _decide_item(item, actor, False, reason)


@transaction.atomic
def remove_item(item: PlanItem, actor) -> None:
    """The learner removes an item that is not approved (nobody has agreed to it yet)."""
    item = _lock_item(item)
    _check_learner(item.plan, actor)
    if item.approval in (PlanItem.Approval.APPROVED, PlanItem.Approval.PENDING):
        raise PlanError(
            _("%(title)s is %(status)s; it cannot be removed.")
            % {"title": item.title, "status": item.get_approval_display().lower()}
        )
    item.delete()


def _check_changeable(item: PlanItem) -> None:
    if item.plan.status == Plan.Status.COMPLETED:
        raise PlanError(_("The plan is complete; its items cannot change."))
    if item.completed_at:
        raise PlanError(_("%(title)s is already complete.") % {"title": item.title})


def _tell_updated(item: PlanItem, actor, managers: set[int], comment: str) -> None:
    plan = item.plan
    if plan.status == Plan.Status.DRAFT and actor.pk == plan.learner_id:
        return  # nobody has been asked about a draft yet
    _send(
        f"plans.{item.kind}_updated",
        {plan.learner_id} | managers,
        plan,
        actor,
        comment=comment or None,
        **_item_context(item),
    )


@transaction.atomic
def update_item(
    item: PlanItem, actor, *, due_at=None, name=None, description=None, comment: str = ""
) -> PlanItem:
    """Changes an item's due date (and an objective's name and description)."""
    item = _lock_item(item)
    managers = _check_party(item.plan, actor)
    _check_changeable(item)
    item.due_at = due_at
    if item.kind == PlanItem.Kind.OBJECTIVE:
        if name is not None:
            item.name = _text(name, _("objective's name"), required=True)[:200]
        if description is not None:
            item.description = _text(description, _("description"))
    item.save(update_fields=["due_at", "name", "description"])
    _tell_updated(item, actor, managers, _text(comment, _("comment")))
    return item


@transaction.atomic
def set_objective_status(item: PlanItem, actor, status: ObjectiveStatus) -> PlanItem:
    """Gives an approved objective a status of its plan's scale; an achieved status completes
    it (objective_completed), any other is an update (objective_updated)."""
    item = _lock_item(item)
    managers = _check_party(item.plan, actor)
    if item.kind != PlanItem.Kind.OBJECTIVE:
        raise PlanError(_("Only objectives have a status."))
    _check_changeable(item)
    if item.plan.status != Plan.Status.APPROVED or item.approval != PlanItem.Approval.APPROVED:
        raise PlanError(_("Work on an objective starts once it is approved."))
    if status.scale_id != item.plan.objective_scale_id:
        raise PlanError(
            _("%(status)s is not a status of this plan's objective scale.")
            % {"status": status.name}
        )
    item.objective_status = status
    item.save(update_fields=["objective_status"])
    if status.achieved:
        _complete_items([item], actor, {item.plan.learner_id: managers})
    else:
        _tell_updated(item, actor, managers, f"The status is now {status.name}.")
    return item


@transaction.atomic
def complete_item(item: PlanItem, actor) -> PlanItem:
    """The learner or a manager marks an approved item of an approved plan complete."""
    item = _lock_item(item)
    managers = _check_party(item.plan, actor)
    _check_changeable(item)
    if item.plan.status != Plan.Status.APPROVED or item.approval != PlanItem.Approval.APPROVED:
        raise PlanError(_("%(title)s is not approved yet.") % {"title": item.title})
    _complete_items([item], actor, {item.plan.learner_id: managers})
    return item


def _complete_items(items: list[PlanItem], actor, managers: dict[int, set[int]]) -> None:
    """Completes items (of approved plans); each completed plan is completed too."""
    now = timezone.now()
    PlanItem.objects.filter(pk__in=[i.pk for i in items]).update(completed_at=now)
    for item in items:
        item.completed_at = now
        plan = item.plan
        theirs = managers[plan.learner_id]
        told = theirs | ({plan.learner_id} if actor is not None else set())
        _send(
            f"plans.{item.kind}_completed",
            told,
            plan,
            actor,
            **_item_context(item),
        )
    plans = {item.plan_id: item.plan for item in items}
    # Items approved or awaiting approval count; declined and draft ones are not in the table.
    unfinished = set(
        PlanItem.objects.filter(
            plan_id__in=list(plans),
            completed_at__isnull=True,
            approval__in=[PlanItem.Approval.APPROVED, PlanItem.Approval.PENDING],
        ).values_list("plan_id", flat=True)
    )
    for plan_id, plan in plans.items():
        if plan_id not in unfinished:
            _complete_plan(plan, managers[plan.learner_id])


@transaction.atomic
def complete_courses_done_elsewhere() -> int:
    """Completes approved course items whose learner has completed the course (in the courses
    app). Idempotent: a completed item is not found again. Returns how many were completed."""
    done = Enrolment.objects.filter(
        course_id=OuterRef("course_id"),
        user_id=OuterRef("plan__learner_id"),
        completed_at__isnull=False,
    )
    items = list(
        PlanItem.objects.select_for_update(of=("self",), skip_locked=True)
        .filter(
            kind=PlanItem.Kind.COURSE,
            approval=PlanItem.Approval.APPROVED,
            completed_at__isnull=True,
            plan__status=Plan.Status.APPROVED,
        )
        .filter(Exists(done))
        .select_related("plan", "plan__learner", "course")
    )
    if items:
        _complete_items(items, None, managers_of({i.plan.learner_id for i in items}))
    return len(items)


# Objective status scales (the admin) -------------------------------------------------------


def status_audience(scale: ObjectiveScale):
    """Learners whose plans in progress use the scale; when there are none, the site admins."""
    User = get_user_model()
    owners = User.objects.filter(
        is_active=True,
        learning_plans__objective_scale=scale,
        learning_plans__status__in=IN_PROGRESS,
    ).distinct()
    if owners.exists():
        return owners
    return User.objects.filter(is_superuser=True, is_active=True)


@transaction.atomic
def save_objective_status(status: ObjectiveStatus, actor=None) -> ObjectiveStatus:
    """Creates or changes a status value and tells whom it affects (status_audience)."""
    if not (status.name or "").strip():
        raise PlanError(_("A status needs a name."))
    previous = None
    if status.pk:
        previous = (
            ObjectiveStatus.objects.filter(pk=status.pk)
            .values("name", "position", "achieved")
            .first()
        )
    status.save()
    scale = status.scale
    context = {"status": status.name, "scale": scale.name}
    if previous is None:
        key = "plans.objective_status_created"
    else:
        now = {"name": status.name, "position": status.position, "achieved": status.achieved}
        if previous == now:
            return status
        key = "plans.objective_status_edited"
        if previous["name"] != status.name:
            context["previous_status"] = previous["name"]
    notifications.send(
        key, status_audience(scale), context=context, sender=actor, data={"status_id": status.pk}
    )
    return status


@transaction.atomic
def delete_objective_status(status: ObjectiveStatus, actor=None) -> None:
    """Deletes a status value (objectives that had it are left without one) and tells whom it
    affects."""
    scale = status.scale
    audience = list(status_audience(scale).values_list("pk", flat=True))
    context = {"status": status.name, "scale": scale.name}
    status.delete()
    notifications.send("plans.objective_status_deleted", audience, context=context, sender=actor)


# Tasks -------------------------------------------------------------------------------------


def _close_tasks(plan_id: int, *, actor, action: str) -> int:
    """Marks the open approval tasks of a plan and its items done (when it is deleted).

    Two queries however many rows; the recipients' counters refresh after commit.
    """
    return inbox.close_tasks(TASK_KEYS, data={"plan_id": plan_id}, action=action, actor=actor)
