"""What users do in their inbox. Pages, the JSON API and commands all call these."""

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from alerts.handlers import TaskRefused, actions_for, handler_for
from alerts.models import Alert
from alerts.presenting import outcome
from notifications import live


class InboxError(Exception):
    """An action the user cannot take; the message says why."""


def mark_read(user, ids) -> int:
    """Marks these alerts of the user read (others' ids are ignored). One UPDATE."""
    count = (
        Alert.objects.for_user(user)
        .alerts()
        .unread()
        .filter(pk__in=list(ids))
        .update(read_at=timezone.now())
    )
    if count:
        live.push_counts([user.pk])
    return count


def mark_all_read(user, feature: str | None = None) -> int:
    """Marks every unread alert of the user read. One UPDATE, whatever the number."""
    unread = Alert.objects.for_user(user).alerts().unread()
    if feature:
        unread = unread.filter(feature=feature)
    count = unread.update(read_at=timezone.now())
    if count:
        live.push_counts([user.pk])
    return count


@transaction.atomic
def act_on_task(user, task_id: int, action: str, comment: str = "") -> Alert:
    """Runs the task's handler for `action` and closes the task for everyone who received it.

    Raises Alert.DoesNotExist if the task is not the user's, InboxError if the action is not
    offered or someone already acted, TaskRefused (an InboxError's sibling) from the handler.
    """
    task = Alert.objects.select_related("event").get(pk=task_id, recipient=user, kind="task")
    if action == "dismiss":
        return _dismiss(task, user)
    handler = handler_for(task.key, action)
    if handler is None:
        offered = ", ".join(actions_for(task.key)) or "none (open its link instead)"
        raise InboxError(f"This task does not offer {action!r}. It offers: {offered}.")
    copies = Alert.objects.filter(event_id=task.event_id, kind="task")
    # Lock every copy, so two people acting at once are served one after the other.
    list(copies.select_for_update().values_list("pk", flat=True))
    done = copies.filter(done_at__isnull=False).select_related("acted_by").first()
    if done is not None:
        raise InboxError(_already(done))
    try:
        handler(task.event, user, comment)
    except TaskRefused as refusal:
        raise InboxError(str(refusal)) from None
    now = timezone.now()
    closed = copies.filter(done_at__isnull=True).update(
        done_at=now, read_at=now, action=action, acted_by=user, comment=comment
    )
    if not closed:
        raise InboxError("Someone else has just acted on this task.")
    live.push_counts(copies.values_list("recipient_id", flat=True))
    task.refresh_from_db()
    return task


def close_tasks(
    keys: str | Iterable[str],
    *,
    action: str,
    actor=None,
    comment: str = "",
    data: dict | None = None,
    dedupe_keys: Iterable[str] | None = None,
    recipients: Iterable[int] | None = None,
) -> int:
    """Closes the open tasks of these keys whose event matches, for everyone who received them:
    what they ask about was cancelled or removed, or was done elsewhere.

    An event matches when its data holds each item of `data` (a list or set value: any of its
    values) and, with `dedupe_keys`, its dedupe key is one of them; `recipients` (user ids)
    narrows it to their copies. `action` says what happened, in the past tense ("cancelled"):
    the closed copies show it with `actor` (who may be None) and `comment` (e.g. the reason),
    and act_on_task refuses a later click on the task with "<actor> already <action> this"
    (without an actor: "This task is already closed (<Action> on <date>)").

    Idempotent: a closed copy keeps its outcome. Two queries (the open copies, then one UPDATE)
    however many copies; their recipients' counters refresh after commit. Raises ValueError
    without `data` or `dedupe_keys`, which would close every task of the keys. Returns how
    many copies it closed. The caller checks permission.
    """
    if not data and dedupe_keys is None:
        raise ValueError("Name the tasks to close by their data or dedupe keys.")
    keys = [keys] if isinstance(keys, str) else list(keys)
    copies = Alert.objects.filter(kind=Alert.Kind.TASK, key__in=keys, done_at__isnull=True)
    for name, value in (data or {}).items():
        if isinstance(value, list | tuple | set | frozenset):
            copies = copies.filter(**{f"event__data__{name}__in": list(value)})
        else:
            copies = copies.filter(**{f"event__data__{name}": value})
    if dedupe_keys is not None:
        copies = copies.filter(event__dedupe_key__in=list(dedupe_keys))
    if recipients is not None:
        copies = copies.filter(recipient_id__in=list(recipients))
    rows = list(copies.values_list("pk", "recipient_id"))
    if not rows:
        return 0
    now = timezone.now()
    closed = Alert.objects.filter(pk__in=[pk for pk, _ in rows], done_at__isnull=True).update(
        done_at=now,
        read_at=Coalesce("read_at", Value(now)),
        action=action,
        acted_by=actor,
        comment=comment,
    )
    if closed:
        live.push_counts({recipient for _, recipient in rows})
    return closed


def _already(done: Alert) -> str:
    when = f"{timezone.localtime(done.done_at):%d %b %Y %H:%M}"
    if done.acted_by is None:
        # Closed by a job (e.g. "expired"), or by someone whose account is gone.
        return f"This task is already closed ({outcome(done.action)} on {when})."
    return f"{done.acted_by.display_name} already {outcome(done.action).lower()} this on {when}."


def _dismiss(task: Alert, user) -> Alert:
    """Closes the user's own copy of a task without acting on it (e.g. after opening its link)."""
    if task.done_at:
        raise InboxError("This task is already closed.")
    now = timezone.now()
    Alert.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, read_at=now, action="dismiss", acted_by=user
    )
    live.push_counts([user.pk])
    task.refresh_from_db()
    return task


def purge_read(older_than_days: int | None = None, batch_size: int = 5000) -> int:
    """Deletes alerts read (and tasks closed) more than the retention ago, in short batches.

    Unread alerts and open tasks are never purged. Each batch deletes one range of read_at
    (a range scan of the partial index inbox_read, no id list to ship back and forth), sized to
    hold about `batch_size` rows: the range doubles while batches come out small and halves when
    one comes out large, so no batch holds its locks for long. Each batch is its own transaction;
    running it twice deletes nothing more.
    """
    days = older_than_days or settings.ALERTS_READ_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    oldest = (
        Alert.objects.filter(read_at__lt=cutoff)
        .order_by("read_at")
        .values_list("read_at", flat=True)
        .first()
    )
    total = 0
    step = timedelta(hours=1)
    while oldest is not None and oldest < cutoff:
        end = min(oldest + step, cutoff)
        with transaction.atomic():
            deleted, _ = Alert.objects.filter(read_at__gte=oldest, read_at__lt=end).delete()
        total += deleted
        if deleted < batch_size // 2:
            step *= 2
        elif deleted > batch_size * 2:
            step /= 2
        oldest = end
    return total
