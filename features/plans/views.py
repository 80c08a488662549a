"""Learning plan pages: thin views over plans.actions; every change is a POST that calls one
action and comes back to the plan's page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from features.job_assignments.models import team_of
from features.plans import actions
from features.plans.forms import CommentForm, ItemEditForm, ItemForm, PlanForm
from features.plans.models import ObjectiveStatus, Plan, PlanItem


@login_required
@require_GET
def plan_list(request):
    counted = Plan.objects.select_related("learner").annotate(
        item_count=Count("items"),
        done_count=Count("items", filter=Q(items__completed_at__isnull=False)),
    )
    team = team_of(request.user.pk)
    return render(
        request,
        "plans/list.html",
        {
            "mine": list(counted.filter(learner=request.user)),
            "team": list(counted.filter(learner_id__in=team).exclude(status=Plan.Status.DRAFT)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_plan(request):
    form = PlanForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(
                request.user, form.cleaned_data["name"], form.cleaned_data["description"]
            )
        except actions.PlanError as failure:
            error = str(failure)
        else:
            messages.success(request, _("Your plan is created. Add what you want to learn."))
            return redirect(plan.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "plans/new.html", {"form": form, "error": error}, status=status)


def _plan_or_404(user, plan_id: int) -> Plan:
    plan = Plan.objects.select_related("learner", "objective_scale").filter(pk=plan_id).first()
    if plan is None or not actions.can_view(user, plan):
        raise Http404("No such plan.")
    return plan


def _item_or_404(user, item_id: int) -> PlanItem:
    item = PlanItem.objects.select_related("plan", "plan__learner").filter(pk=item_id).first()
    if item is None or not actions.can_view(user, item.plan):
        raise Http404("No such plan item.")
    return item


def _detail(request, plan: Plan, *, error: str = "", status: int = 200):
    items = list(plan.items.select_related("course", "competency", "objective_status"))
    statuses = (
        list(ObjectiveStatus.objects.filter(scale_id=plan.objective_scale_id))
        if plan.objective_scale_id
        else []
    )
    is_learner = request.user.pk == plan.learner_id
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "items": items,
            "comments": list(plan.comments.select_related("author")),
            "statuses": statuses,
            "is_learner": is_learner,
            "item_form": ItemForm() if is_learner else None,
            "edit_form": PlanForm(initial={"name": plan.name, "description": plan.description}),
            "error": error,
            "open": plan.status not in (Plan.Status.COMPLETED,),
        },
        status=status,
    )


@login_required
@require_GET
def plan_detail(request, plan_id: int):
    return _detail(request, _plan_or_404(request.user, plan_id))


def _act(request, plan: Plan, change, success: str | None):
    """Runs one action; a PlanError shows the plan again with the error."""
    try:
        change()
    except actions.PlanError as error:
        return _detail(request, plan, error=str(error), status=400)
    if success:
        messages.success(request, success)
    return redirect(plan.get_absolute_url())


def _invalid(request, plan: Plan, form):
    return _detail(request, plan, error=_form_errors(form), status=400)


@login_required
@require_POST
def edit_plan(request, plan_id: int):
    plan = _plan_or_404(request.user, plan_id)
    form = PlanForm(request.POST)
    if not form.is_valid():
        return _invalid(request, plan, form)
    data = form.cleaned_data
    return _act(
        request,
        plan,
        lambda: actions.update_plan(
            plan,
            request.user,
            name=data["name"],
            description=data["description"],
            comment=data["comment"],
        ),
        _("The plan is updated."),
    )


@login_required
@require_POST
def request_approval(request, plan_id: int):
    plan = _plan_or_404(request.user, plan_id)
    comment = request.POST.get("comment", "")
    return _act(
        request,
        plan,
        lambda: actions.request_plan_approval(plan, request.user, comment),
        _("Your manager has been asked to approve the plan."),
    )


@login_required
@require_POST
def comment(request, plan_id: int):
    plan = _plan_or_404(request.user, plan_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _invalid(request, plan, form)
    return _act(
        request,
        plan,
        lambda: actions.comment_on_plan(plan, request.user, form.cleaned_data["comment"]),
        _("Your comment is added."),
    )


@login_required
@require_POST
def complete_plan(request, plan_id: int):
    plan = _plan_or_404(request.user, plan_id)
    return _act(
        request, plan, lambda: actions.complete_plan(plan, request.user), _("The plan is complete.")
    )


@login_required
@require_POST
def delete_plan(request, plan_id: int):
    plan = _plan_or_404(request.user, plan_id)
    try:
        actions.delete_plan(plan, request.user)
    except actions.PlanError as error:
        return _detail(request, plan, error=str(error), status=400)
    messages.success(request, _("The plan %(plan)s is deleted.") % {"plan": plan.name})
    return redirect("plans:list")


@login_required
@require_POST
def add_item(request, plan_id: int):
    plan = _plan_or_404(request.user, plan_id)
    form = ItemForm(request.POST)
    if not form.is_valid():
        return _invalid(request, plan, form)
    data = form.cleaned_data
    return _act(
        request,
        plan,
        lambda: actions.add_item(
            plan,
            request.user,
            kind=data["kind"],
            course=data["course"],
            competency=data["competency"],
            name=data["name"],
            description=data["description"],
            comment=data["comment"],
        ),
        _("Added to the plan."),
    )


def _form_errors(form) -> str:
    return "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items())


def _request_item(item, user, post) -> str:
    actions.request_item_approval(item, user, post.get("comment", ""))
    return _("Your manager has been asked to approve it.")


def _complete_item(item, user, post) -> str:
    actions.complete_item(item, user)
    return _("Marked complete.")


def _remove_item(item, user, post) -> str:
    actions.remove_item(item, user)
    return _("Removed from the plan.")


def _set_status(item, user, post) -> str:
    status = ObjectiveStatus.objects.filter(pk=post.get("status") or 0).first()
    if status is None:
        raise actions.PlanError(_("Choose a status."))
    actions.set_objective_status(item, user, status)
    return _("Status set to %(status)s.") % {"status": status.name}


def _edit_item(item, user, post) -> str:
    form = ItemEditForm(post)
    if not form.is_valid():
        raise actions.PlanError(_form_errors(form))
    data = form.cleaned_data
    actions.update_item(
        item,
        user,
        due_at=data["due_at"],
        name=data["name"] if "name" in post else None,
        description=data["description"] if "description" in post else None,
        comment=data["comment"],
    )
    return "Saved."


ITEM_ACTIONS = {
    "request": _request_item,
    "complete": _complete_item,
    "remove": _remove_item,
    "status": _set_status,
    "edit": _edit_item,
}


@login_required
@require_POST
def item_action(request, item_id: int, verb: str):
    change = ITEM_ACTIONS.get(verb)
    if change is None:
        raise Http404("No such action.")
    item = _item_or_404(request.user, item_id)
    try:
        success = change(item, request.user, request.POST)
    except actions.PlanError as error:
        return _detail(request, item.plan, error=str(error), status=400)
    messages.success(request, success)
    return redirect(item.plan.get_absolute_url())
