"""Appraisal pages: thin views over appraisals.queries (reads) and appraisals.actions (changes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from features.appraisals import actions, queries
from features.appraisals.models import Appraisal, Role


@login_required
@require_GET
def appraisal_list(request):
    return render(
        request, "appraisals/appraisal_list.html", {"appraisals": queries.list_for(request.user)}
    )


def _detail(request, appraisal_id: int, *, error: str = "", answer: str = "", status=200):
    try:
        appraisal = queries.detail_for(request.user, appraisal_id)
    except Appraisal.DoesNotExist:
        raise Http404("No such appraisal.") from None
    mine = {p.role for p in appraisal.participants.all() if p.user_id == request.user.pk}
    stage = appraisal.current_stage
    to_answer = []
    if appraisal.status == Appraisal.Status.ACTIVE and stage is not None:
        current = next(s for s in appraisal.stages.all() if s.pk == stage.pk)
        answered = {a.role for a in current.answers.all()}
        to_answer = [(role, Role(role).label) for role in current.roles if role in mine - answered]
    people: dict[str, list] = {}
    for participant in appraisal.participants.all():
        people.setdefault(participant.get_role_display(), []).append(participant.user)
    return render(
        request,
        "appraisals/appraisal_detail.html",
        {
            "appraisal": appraisal,
            "my_roles": [Role(r).label for r in Role.values if r in mine],
            "to_answer": to_answer,
            "people": people,
            "error": error,
            "answer": answer,
            "can_close": request.user.is_staff
            and appraisal.status in (Appraisal.Status.ACTIVE, Appraisal.Status.COMPLETED),
        },
        status=status,
    )


@login_required
@require_GET
def appraisal_detail(request, appraisal_id: int):
    return _detail(request, appraisal_id)


@login_required
@require_POST
def complete(request, appraisal_id: int):
    try:
        appraisal = queries.visible_to(request.user).get(pk=appraisal_id)
    except Appraisal.DoesNotExist:
        raise Http404("No such appraisal.") from None
    text = request.POST.get("answer", "")
    try:
        actions.complete_part(appraisal, request.user, request.POST.get("role", ""), text)
    except actions.AppraisalError as error:
        return _detail(request, appraisal_id, error=str(error), answer=text, status=400)
    messages.success(request, _("Your part of this stage is complete."))
    return redirect(appraisal.get_absolute_url())


@login_required
@require_POST
def close(request, appraisal_id: int):
    if not request.user.is_staff:
        raise Http404("No such appraisal.")
    try:
        appraisal = queries.visible_to(request.user).get(pk=appraisal_id)
    except Appraisal.DoesNotExist:
        raise Http404("No such appraisal.") from None
    try:
        actions.close_appraisal(appraisal, request.user, request.POST.get("comment", ""))
    except actions.AppraisalError as error:
        return _detail(request, appraisal_id, error=str(error), status=400)
    messages.success(
        request,
        _("%(appraisal)s is closed; its participants have been told.")
        % {"appraisal": appraisal.name},
    )
    return redirect(appraisal.get_absolute_url())
