"""What requesters and responders do with 360 feedback, and the messages each change sends.

Messages (features/feedback360/messages.py):
- feedback360.request (task): request_feedback -> each responder who is a user; the task links to
  the answer form and closes when they answer (or the request is cancelled, or they are removed).
- feedback360.request_cancelled (alert): cancel_request -> responders who had not answered yet.
- feedback360.assignments_updated (alert): update_responders -> responders added (added=True,
  linking to the answer form) and removed (added=False).
- feedback360.reminder (alert): remind -> responders who have not answered; once a day at most.

External responders are not users, so no web alert can reach them and send() cannot address
them: they get the same texts (the catalogue's templates) by email straight through the
configured backend after commit, with a signed link to answer without an account (externals.py).
"""

import re
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from alerts import actions as inbox
from features.feedback360 import externals
from features.feedback360.models import FeedbackRequest, Responder
from features.job_assignments.models import managers_of

ANSWER_MAX_LENGTH = 10_000
MESSAGE_MAX_LENGTH = 2_000
MAX_RESPONDERS = 100


class FeedbackError(ValueError):
    """A change that cannot be made; the message says why. Nothing was changed."""


def may_request_about(requester, learner) -> bool:
    """A learner asks about themselves; a manager (or temporary manager) about their team."""
    return requester.pk == learner.pk or requester.pk in managers_of([learner.pk])[learner.pk]


def parse_emails(text: str) -> list[str]:
    """Addresses separated by spaces, commas, semicolons or lines; lowercased, each once.

    Raises FeedbackError naming the first thing that is not an address.
    """
    found = []
    for piece in re.split(r"[\s,;]+", text or ""):
        if not piece:
            continue
        try:
            validate_email(piece)
        except ValidationError:
            raise FeedbackError(
                _("%(piece)s is not an email address.") % {"piece": repr(piece)}
            ) from None
        address = piece.lower()
        if address not in found:
            found.append(address)
    return found


def _context(request: FeedbackRequest) -> dict:
    return {
        "feedback": request.name,
        "learner": request.learner.display_name,
        "due_date": request.due_at,
    }


def _respond_url(request: FeedbackRequest) -> str:
    return f"/feedback360/{request.pk}/respond/"


def _check_new_responders(request: FeedbackRequest, user_ids, emails) -> tuple[list[int], list]:
    """Returns (active user ids, addresses) to add; raises FeedbackError for a bad one."""
    user_ids = sorted({int(u) for u in user_ids})
    emails = parse_emails(" ".join(emails))
    users = set(
        get_user_model()
        .objects.filter(pk__in=user_ids, is_active=True)
        .values_list("pk", flat=True)
    )
    unknown = [u for u in user_ids if u not in users]
    if unknown:
        raise FeedbackError(_("Choose responders among the active users of the site."))
    excluded = {request.learner_id, request.requested_by_id}
    if excluded & set(user_ids):
        raise FeedbackError(
            _("Ask other people: the learner and whoever asks cannot answer their own request.")
        )
    if request.learner.email.lower() in emails:
        raise FeedbackError(_("The learner cannot give feedback on themselves."))
    if request.pk:
        present = request.responders.filter(user_id__in=user_ids)
        taken = [r.name for r in present.select_related("user")]
        taken += list(request.responders.filter(email__in=emails).values_list("email", flat=True))
        if taken:
            raise FeedbackError(
                _("Already asked: %(taken)s.") % {"taken": ", ".join(sorted(taken))}
            )
    return user_ids, emails


@transaction.atomic
def request_feedback(
    requester,
    learner,
    *,
    name: str,
    user_ids=(),
    emails=(),
    message: str = "",
    due_at: datetime | None = None,
) -> FeedbackRequest:
    """Asks users (a task each) and external addresses (an email each) for feedback on
    `learner`. Raises FeedbackError, changing nothing, if the requester may not ask about this
    learner, the name is empty, the due date is past, or the responders are missing or bad."""
    name = (name or "").strip()
    message = (message or "").strip()
    if not may_request_about(requester, learner):
        raise FeedbackError(_("You can ask for feedback on yourself or on the people you manage."))
    if not name:
        raise FeedbackError(_("Give the request a name, so responders know what it is about."))
    if len(name) > 200:
        raise FeedbackError(_("The name is longer than 200 characters."))
    if len(message) > MESSAGE_MAX_LENGTH:
        raise FeedbackError(
            _("The message is longer than %(max)s characters.")
            % {"max": format(MESSAGE_MAX_LENGTH, ",")}
        )
    if due_at is not None and due_at <= timezone.now():
        raise FeedbackError(_("The due date must be in the future."))
    request = FeedbackRequest(
        name=name, learner=learner, requested_by=requester, message=message, due_at=due_at
    )
    user_ids, emails = _check_new_responders(request, user_ids, list(emails))
    if not user_ids and not emails:
        raise FeedbackError(_("Choose at least one person to ask, or add an email address."))
    if len(user_ids) + len(emails) > MAX_RESPONDERS:
        raise FeedbackError(_("Ask at most %(max)s people at once.") % {"max": MAX_RESPONDERS})
    request.save()
    Responder.objects.bulk_create(
        [Responder(request=request, user_id=u) for u in user_ids]
        + [Responder(request=request, email=e) for e in emails]
    )
    context = {**_context(request), "message": message or None}
    if user_ids:
        notifications.send(
            "feedback360.request",
            user_ids,
            context=context,
            sender=requester,
            url=_respond_url(request),
            data={"request_id": request.pk},
            dedupe_key=f"feedback360:{request.pk}:request",
        )
    externals.email(
        "feedback360.request",
        list(request.responders.filter(email__in=emails)),
        context,
        sender=requester,
        with_link=True,
    )
    return request


def _lock_open(request: FeedbackRequest, actor) -> FeedbackRequest:
    request = (
        FeedbackRequest.objects.select_for_update(of=("self",))
        .select_related("learner", "requested_by")
        .get(pk=request.pk)
    )
    if actor.pk != request.requested_by_id:
        raise FeedbackError(_("Only whoever asked for this feedback can change the request."))
    if not request.is_open:
        raise FeedbackError(_("%(request)s was cancelled.") % {"request": request.name})
    return request


@transaction.atomic
def cancel_request(request: FeedbackRequest, actor) -> FeedbackRequest:
    """Cancels an open request: responders who had not answered are told and their tasks close.
    Raises FeedbackError unless `actor` made the request and it is still open."""
    request = _lock_open(request, actor)
    request.status = FeedbackRequest.Status.CANCELLED
    request.cancelled_at = timezone.now()
    request.save(update_fields=["status", "cancelled_at"])
    waiting = list(request.responders.filter(answered_at__isnull=True))
    close_tasks(request.pk, actor=actor, action="cancelled")
    internal = [r.user_id for r in waiting if r.user_id]
    if internal:
        notifications.send(
            "feedback360.request_cancelled",
            internal,
            context=_context(request),
            sender=actor,
            url="/feedback360/",
            data={"request_id": request.pk},
            dedupe_key=f"feedback360:{request.pk}:cancelled",
        )
    externals.email(
        "feedback360.request_cancelled",
        [r for r in waiting if r.is_external],
        _context(request),
        sender=actor,
        with_link=False,
    )
    return request


@transaction.atomic
def update_responders(
    request: FeedbackRequest, actor, *, add_user_ids=(), add_emails=(), remove_ids=()
) -> tuple[int, int]:
    """Adds and removes responders of an open request; tells each one affected.

    `remove_ids` are Responder ids of this request. Someone who has answered cannot be
    removed (their answer stays), and a request keeps at least one responder. Returns
    (added, removed). Raises FeedbackError, changing nothing, for any bad part.
    """
    request = _lock_open(request, actor)
    remove_ids = {int(r) for r in remove_ids}
    removing = list(request.responders.filter(pk__in=remove_ids).select_related("user"))
    if len(removing) != len(remove_ids):
        raise FeedbackError(_("Choose responders of this request to remove."))
    answered = [r.name for r in removing if r.answered_at]
    if answered:
        raise FeedbackError(
            _("Already answered, so cannot be removed: %(answered)s.")
            % {"answered": ", ".join(answered)}
        )
    user_ids, emails = _check_new_responders(request, add_user_ids, list(add_emails))
    if not (user_ids or emails or removing):
        raise FeedbackError(_("Choose people to add or responders to remove."))
    remaining = request.responders.count() - len(removing) + len(user_ids) + len(emails)
    if remaining < 1:
        raise FeedbackError(_("A request needs at least one responder; cancel it instead."))
    if remaining > MAX_RESPONDERS:
        raise FeedbackError(
            _("A request has at most %(max)s responders.") % {"max": MAX_RESPONDERS}
        )
    Responder.objects.filter(pk__in=[r.pk for r in removing]).delete()
    removed_users = [r.user_id for r in removing if r.user_id]
    if removed_users:
        close_tasks(request.pk, actor=actor, action="removed", recipients=removed_users)
    Responder.objects.bulk_create(
        [Responder(request=request, user_id=u) for u in user_ids]
        + [Responder(request=request, email=e) for e in emails]
    )
    context = _context(request)
    for added, users, url in (
        (True, user_ids, _respond_url(request)),
        (False, removed_users, "/feedback360/"),
    ):
        if users:
            notifications.send(
                "feedback360.assignments_updated",
                users,
                context={**context, "added": added},
                sender=actor,
                url=url,
                data={"request_id": request.pk},
            )
    externals.email(
        "feedback360.assignments_updated",
        list(request.responders.filter(email__in=emails)),
        {**context, "added": True},
        sender=actor,
        with_link=True,
    )
    externals.email(
        "feedback360.assignments_updated",
        [r for r in removing if r.is_external],
        {**context, "added": False},
        sender=actor,
        with_link=False,
    )
    return len(user_ids) + len(emails), len(removing)


@transaction.atomic
def remind(request: FeedbackRequest, actor) -> int:
    """Reminds the responders who have not answered, each at most once a day (a second click
    the same day reminds nobody twice). Returns how many were reminded. Raises FeedbackError
    unless `actor` made the open request and someone has yet to answer."""
    request = _lock_open(request, actor)
    waiting = list(request.responders.filter(answered_at__isnull=True))
    if not waiting:
        raise FeedbackError(_("Everyone has answered; there is nobody to remind."))
    now = timezone.now()
    today = timezone.localdate(now)
    due = [r for r in waiting if r.reminded_at is None or timezone.localdate(r.reminded_at) < today]
    internal = [r.user_id for r in due if r.user_id]
    if internal:
        notifications.send(
            "feedback360.reminder",
            internal,
            context=_context(request),
            sender=actor,
            url=_respond_url(request),
            data={"request_id": request.pk},
            dedupe_key=f"feedback360:{request.pk}:reminder:{today.isoformat()}",
        )
    externals.email(
        "feedback360.reminder",
        [r for r in due if r.is_external],
        _context(request),
        sender=actor,
        with_link=True,
    )
    Responder.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
    return len(due)


@transaction.atomic
def answer(responder: Responder, text: str) -> Responder:
    """Records a responder's feedback, once, and closes their request task.

    Raises FeedbackError, changing nothing, if the request was cancelled, they already answered,
    or the answer is empty or too long. Who may answer is checked by the caller (the responder's
    own login, or a valid signed link).
    """
    responder = (
        Responder.objects.select_for_update(of=("self",))
        .select_related("request")
        .get(pk=responder.pk)
    )
    if not responder.request.is_open:
        raise FeedbackError(_("This request was cancelled; no answer is needed any more."))
    if responder.answered_at:
        raise FeedbackError(_("You have already answered this request. Thank you!"))
    text = (text or "").strip()
    if not text:
        raise FeedbackError(_("Write your feedback before sending it."))
    if len(text) > ANSWER_MAX_LENGTH:
        raise FeedbackError(
            _("The feedback is longer than %(max)s characters.")
            % {"max": format(ANSWER_MAX_LENGTH, ",")}
        )
    responder.answer = text
    responder.answered_at = timezone.now()
    responder.save(update_fields=["answer", "answered_at"])
    if responder.user_id:
        close_tasks(
            responder.request_id,
            actor=responder.user,
            action="completed",
            recipients=[responder.user_id],
        )
    return responder


def close_tasks(request_id: int, *, actor, action: str, recipients=None) -> int:
    """Marks the open request tasks of this request done (for these recipients, or all).

    Two queries however many rows; the recipients' counters refresh after commit.
    """
    return inbox.close_tasks(
        "feedback360.request",
        data={"request_id": request_id},
        action=action,
        actor=actor,
        recipients=recipients,
    )
