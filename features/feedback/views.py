"""Feedback pages: answer (learners); responses and reminders (trainers, feedback admins)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from features.courses.models import Enrolment
from features.feedback import actions
from features.feedback.actions import RATINGS
from features.feedback.models import FeedbackActivity, FeedbackResponse


def _activity(activity_id: int) -> FeedbackActivity:
    return get_object_or_404(FeedbackActivity.objects.select_related("course"), pk=activity_id)


@login_required
def activity_page(request, activity_id: int):
    activity = _activity(activity_id)
    is_learner = (
        Enrolment.objects.active()
        .learners()
        .filter(course_id=activity.course_id, user=request.user)
        .exists()
    )
    manages = actions.can_see_responses(request.user, activity)
    if not (is_learner or manages):
        raise Http404("No such feedback.")
    questions = list(activity.questions.all())
    response = FeedbackResponse.objects.filter(activity=activity, respondent=request.user).first()
    error = error_field = None
    status = 200
    posted = {}
    if request.method == "POST" and is_learner:
        posted = {q.pk: request.POST.get(f"q{q.pk}", "") for q in questions}
        try:
            actions.submit_feedback(activity, request.user, posted)
        except actions.FeedbackError as problem:
            error, error_field, status = str(problem), problem.field, 400
        else:
            messages.success(request, _("Thank you: your feedback is saved."))
            return redirect(activity.get_absolute_url())
    context = {
        "activity": activity,
        "items": [{"question": q, "value": posted.get(q.pk, "")} for q in questions],
        "response": response,
        "is_learner": is_learner,
        "manages": manages,
        "can_remind": manages and actions.is_trainer(request.user, activity),
        "is_open": activity.is_open(),
        "error": error,
        "error_field": error_field,
        "ratings": RATINGS,
    }
    if manages:
        context["response_count"] = activity.responses.count()
        context["waiting_count"] = actions.non_respondents(activity).count()
    return render(request, "feedback/activity.html", context, status=status)


@login_required
@require_POST
def remind(request, activity_id: int):
    activity = _activity(activity_id)
    if not actions.can_see_responses(request.user, activity):
        raise Http404("No such feedback.")
    try:
        count = actions.remind_non_respondents(
            activity, request.user, request.POST.get("message", "")
        )
    except actions.FeedbackError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(count)s learner(s) reminded.") % {"count": count})
    return redirect(activity.get_absolute_url())


@login_required
def responses(request, activity_id: int):
    """Every response with its answers; names hidden when anonymous. Constant queries."""
    activity = _activity(activity_id)
    if not actions.can_see_responses(request.user, activity):
        raise Http404("No such feedback.")
    rows = activity.responses.select_related("respondent").prefetch_related(
        "answers", "answers__question"
    )
    return render(request, "feedback/responses.html", {"activity": activity, "responses": rows})
