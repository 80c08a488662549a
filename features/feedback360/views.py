"""360 feedback pages: thin views over feedback360.queries (reads) and feedback360.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from features.feedback360 import actions, externals, queries
from features.feedback360.forms import AnswerForm, RequestForm, RespondersForm
from features.feedback360.models import FeedbackRequest, Responder


@login_required
@require_GET
def feedback_list(request):
    return render(
        request,
        "feedback360/list.html",
        {
            "requests": list(queries.requests_of(request.user)),
            "asked": list(queries.asked_of(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_request(request):
    form = RequestForm(request.user, request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = actions.request_feedback(
                request.user,
                data["learner"],
                name=data["name"],
                user_ids=[u.pk for u in data["users"]],
                emails=data["emails"],
                message=data["message"],
                due_at=data["due_at"],
            )
        except actions.FeedbackError as failure:
            error = str(failure)
        else:
            messages.success(request, _("Your request for feedback has been sent."))
            return redirect(created.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "feedback360/new.html", {"form": form, "error": error}, status=status)


def _request_or_404(user, request_id: int) -> FeedbackRequest:
    try:
        return queries.request_for(user, request_id)
    except FeedbackRequest.DoesNotExist:
        raise Http404("No such request.") from None


def _detail(request, feedback, *, form=None, error="", status=200):
    mine = feedback.requested_by_id == request.user.pk
    if form is None and mine and feedback.is_open:
        form = RespondersForm(feedback)
    return render(
        request,
        "feedback360/detail.html",
        {
            "feedback": feedback,
            "mine": mine,
            "form": form,
            "error": error,
            "waiting": sum(1 for r in feedback.responder_list if not r.answered_at),
        },
        status=status,
    )


@login_required
@require_GET
def detail(request, request_id: int):
    return _detail(request, _request_or_404(request.user, request_id))


@login_required
@require_POST
def cancel(request, request_id: int):
    feedback = _request_or_404(request.user, request_id)
    try:
        actions.cancel_request(feedback, request.user)
    except actions.FeedbackError as error:
        return _detail(request, feedback, error=str(error), status=400)
    messages.success(request, _("The request is cancelled; the people asked have been told."))
    return redirect(feedback.get_absolute_url())


@login_required
@require_POST
def change_responders(request, request_id: int):
    feedback = _request_or_404(request.user, request_id)
    form = RespondersForm(feedback, request.POST)
    if not form.is_valid():
        return _detail(request, feedback, form=form, status=400)
    data = form.cleaned_data
    try:
        added, removed = actions.update_responders(
            feedback,
            request.user,
            add_user_ids=[u.pk for u in data["users"]],
            add_emails=data["emails"],
            remove_ids=data["remove"],
        )
    except actions.FeedbackError as error:
        return _detail(request, feedback, form=form, error=str(error), status=400)
    messages.success(
        request,
        _("Responders updated: %(added)s added, %(removed)s removed.")
        % {"added": added, "removed": removed},
    )
    return redirect(feedback.get_absolute_url())


@login_required
@require_POST
def remind(request, request_id: int):
    feedback = _request_or_404(request.user, request_id)
    try:
        count = actions.remind(feedback, request.user)
    except actions.FeedbackError as error:
        return _detail(request, feedback, error=str(error), status=400)
    if count:
        messages.success(request, _("Reminder sent to %(count)s responder(s).") % {"count": count})
    else:
        messages.info(request, _("Everyone waiting was already reminded today."))
    return redirect(feedback.get_absolute_url())


def _answer(request, responder: Responder, template_context: dict):
    form = AnswerForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.answer(responder, form.cleaned_data["answer"])
            except actions.FeedbackError as failure:
                error = str(failure)
            else:
                responder.refresh_from_db()
        if not (form.is_valid() and not error):
            status = 400
    return render(
        request,
        "feedback360/respond.html",
        {"form": form, "error": error, "responder": responder, **template_context},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def respond(request, request_id: int):
    try:
        responder = Responder.objects.select_related(
            "request", "request__learner", "request__requested_by"
        ).get(request_id=request_id, user=request.user)
    except Responder.DoesNotExist:
        raise Http404("You are not asked to answer this request.") from None
    return _answer(request, responder, {"action": request.path})


@require_http_methods(["GET", "POST"])
def respond_external(request, token: str):
    """The answer form for someone without an account, reached by their signed link."""
    try:
        responder = externals.responder_for(token)
    except signing.SignatureExpired:
        return render(request, "feedback360/bad_link.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "feedback360/bad_link.html", {"expired": False}, status=400)
    except Responder.DoesNotExist:
        raise Http404("This link is no longer in use.") from None
    return _answer(request, responder, {"action": request.path, "external": True})
