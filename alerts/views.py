"""The inbox pages: thin views over alerts.queries (reads) and alerts.actions (changes)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from alerts import actions, queries
from alerts.models import Alert
from alerts.presenting import Presenter, outcome
from alerts.templatetags.inbox import alerts_block, tasks_block
from notifications import catalogue
from notifications.views import next_url

PAGE_SIZE = 20


def _list(request, kind: str, template: str):
    try:
        rows, filters = queries.inbox(request.user, kind, request.GET)
    except ValidationError as error:
        return HttpResponseBadRequest(
            "; ".join(f"{k}: {v[0]}" for k, v in error.message_dict.items())
        )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    presenter = Presenter(request.user)
    names = {t.feature: t.feature_name for t in catalogue.all_types()}
    query = "&".join(f"{k}={v}" for k, v in filters.items())
    return render(
        request,
        template,
        {
            "page": page,
            "items": [presenter.as_dict(row) for row in page.object_list],
            "filters": filters,
            "query": query,
            "features": [
                (label, catalogue.shown(names.get(label, label.capitalize())))
                for label in queries.features_of(request.user, kind)
            ],
            "urgencies": ["low", "normal", "urgent"],
        },
    )


@login_required
@require_GET
def alert_list(request):
    return _list(request, Alert.Kind.ALERT, "alerts/alert_list.html")


@login_required
@require_GET
def task_list(request):
    return _list(request, Alert.Kind.TASK, "alerts/task_list.html")


@login_required
@require_GET
def alerts_block_view(request):
    return render(request, "alerts/_alerts_block.html", alerts_block(_block_context(request)))


@login_required
@require_GET
def tasks_block_view(request):
    return render(request, "alerts/_tasks_block.html", tasks_block(_block_context(request)))


def _block_context(request) -> dict:
    """A block on its own (htmx) shows the outcome of what was just done in it."""
    return {"request": request, "messages": messages.get_messages(request)}


@login_required
@require_POST
def mark_read(request):
    if request.POST.get("all"):
        count = actions.mark_all_read(request.user, request.POST.get("feature") or None)
    else:
        try:
            ids = [int(i) for i in request.POST.getlist("ids")]
        except ValueError:
            return HttpResponseBadRequest(_("ids: each must be a number."))
        if not ids:
            messages.error(request, _("Choose the alerts to dismiss."))
            return redirect(next_url(request, "/alerts/"))
        count = actions.mark_read(request.user, ids)
    if request.htmx:
        return alerts_block_view(_as_get(request))
    messages.success(
        request,
        ngettext("%(count)d alert dismissed.", "%(count)d alerts dismissed.", count)
        % {"count": count},
    )
    return redirect(next_url(request, "/alerts/"))


@login_required
@require_POST
def act_on_task(request, task_id: int):
    action = request.POST.get("action", "")
    comment = request.POST.get("comment", "").strip()[:2000]
    try:
        task = actions.act_on_task(request.user, task_id, action, comment)
    except Alert.DoesNotExist:
        raise Http404(_("No such task.")) from None
    except actions.InboxError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("%(outcome)s: the task is closed.") % {"outcome": outcome(task.action)}
        )
    if request.htmx:
        return tasks_block_view(_as_get(request))
    return redirect(next_url(request, "/tasks/"))


STATE_DONE = {
    "snooze": gettext_lazy("Snoozed until {until}."),
    "unsnooze": gettext_lazy("Back in your inbox."),
    "archive": gettext_lazy("Archived."),
    "unarchive": gettext_lazy("Moved back to your inbox."),
    "unread": gettext_lazy("Marked unread."),
}


@login_required
@require_POST
def change_state(request):
    """Snooze, unsnooze, archive, unarchive or mark unread the chosen alerts or tasks."""
    try:
        ids = [int(i) for i in request.POST.getlist("ids")]
    except ValueError:
        return HttpResponseBadRequest(_("ids: each must be a number."))
    change = request.POST.get("change", "")
    block = request.POST.get("block", "")
    if block not in {"", "alerts", "tasks"}:
        return HttpResponseBadRequest(_("block: use alerts or tasks."))
    if not ids:
        messages.error(request, _("Choose the alerts or tasks first."))
    else:
        try:
            count, until = actions.change_state(
                request.user,
                ids,
                change,
                request.POST.get("snooze", ""),
                request.POST.get("until", ""),
            )
        except actions.InboxError as error:
            messages.error(request, str(error))
        else:
            if count:
                when = date_format(timezone.localtime(until), "DATETIME_FORMAT") if until else ""
                messages.success(request, str(STATE_DONE[change]).format(until=when))
            else:
                messages.info(request, _("Nothing changed: those are no longer there to change."))
    if request.htmx and block:
        view = alerts_block_view if block == "alerts" else tasks_block_view
        return view(_as_get(request))
    return redirect(next_url(request, "/tasks/" if block == "tasks" else "/alerts/"))


def _as_get(request):
    request.method = "GET"
    return request
