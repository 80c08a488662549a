"""What users do in their inbox. Pages, the JSON API and commands all call these."""

import zoneinfo
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.conf import settings
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

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
    unread = Alert.objects.for_user(user).alerts().visible().unread()
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
        offered = ", ".join(actions_for(task.key)) or _("none (open its link instead)")
        raise InboxError(
            _("This task does not offer %(action)r. It offers: %(offered)s.")
            % {"action": action, "offered": offered}
        )
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
        raise InboxError(_("Someone else has just acted on this task."))
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
    when = date_format(timezone.localtime(done.done_at), "DATETIME_FORMAT")
    if done.acted_by is None:
        # Closed by a job (e.g. "expired"), or by someone whose account is gone.
        return _("This task is already closed (%(outcome)s on %(when)s).") % {
            "outcome": outcome(done.action),
            "when": when,
        }
    return _("%(name)s already %(outcome)s this on %(when)s.") % {
        "name": done.acted_by.display_name,
        "outcome": outcome(done.action).lower(),
        "when": when,
    }


def _dismiss(task: Alert, user) -> Alert:
    """Closes the user's own copy of a task without acting on it (e.g. after opening its link)."""
    if task.done_at:
        raise InboxError(_("This task is already closed."))
    now = timezone.now()
    Alert.objects.filter(pk=task.pk, done_at__isnull=True).update(
        done_at=now, read_at=now, action="dismiss", acted_by=user
    )
    live.push_counts([user.pk])
    task.refresh_from_db()
    return task


SNOOZE_CHOICES = ("hour", "tomorrow", "date")
# In the user's timezone: "tomorrow" and a bare date mean this time of that day.
SNOOZE_MORNING = time(8, 0)
SNOOZE_LONGEST = timedelta(days=365)


def snooze_until(user, choice: str, until: str = "", now=None) -> datetime:
    """When a snooze chosen as `choice` ends: "hour" (an hour from now), "tomorrow" (08:00
    tomorrow in the user's timezone) or "date" with `until` a local date ("2026-12-24", 08:00
    that day) or date and time ("2026-12-24T14:30"). Raises InboxError saying what is wrong."""
    now = now or timezone.now()
    local = zoneinfo.ZoneInfo(user.timezone or settings.TIME_ZONE)
    if choice == "hour":
        return now + timedelta(hours=1)
    if choice == "tomorrow":
        day = now.astimezone(local).date() + timedelta(days=1)
        return datetime.combine(day, SNOOZE_MORNING, tzinfo=local)
    if choice != "date":
        raise InboxError(_("Snooze for one of: %s.") % ", ".join(SNOOZE_CHOICES))
    text = (until or "").strip()
    try:
        if "T" in text or " " in text:
            moment = datetime.fromisoformat(text.replace(" ", "T"))
        else:
            moment = datetime.combine(datetime.fromisoformat(text).date(), SNOOZE_MORNING)
    except ValueError:
        raise InboxError(
            _("Give the date to snooze until as YYYY-MM-DD (or YYYY-MM-DDTHH:MM).")
        ) from None
    moment = moment.replace(tzinfo=local) if moment.tzinfo is None else moment
    if moment <= now:
        raise InboxError(_("Choose a time in the future to snooze until."))
    if moment - now > SNOOZE_LONGEST:
        raise InboxError(_("Snooze for at most a year."))
    return moment


def _own(user, ids):
    """The user's rows among these ids (others' ids are ignored)."""
    return Alert.objects.for_user(user).filter(pk__in=list(ids))


def snooze(user, ids, until: datetime) -> int:
    """Takes these alerts or tasks of the user out of the lists and counts until `until`, when
    wake_snoozed brings them back unread. Closed tasks and archived rows are left as they are.
    One UPDATE."""
    count = (
        _own(user, ids)
        .filter(done_at__isnull=True, archived_at__isnull=True)
        .update(snoozed_until=until)
    )
    if count:
        live.push_counts([user.pk])
    return count


def unsnooze(user, ids) -> int:
    """Brings snoozed rows back now, as wake_snoozed would. One UPDATE."""
    count = (
        _own(user, ids)
        .snoozed()
        .update(snoozed_until=None, read_at=None, created_at=timezone.now())
    )
    if count:
        live.push_counts([user.pk])
    return count


def archive(user, ids) -> int:
    """Moves these rows to the Archived tab: out of the lists and counts, kept
    ALERTS_ARCHIVE_RETENTION_DAYS. An open task stays open (it can be acted on from Archived).
    One UPDATE."""
    count = (
        _own(user, ids)
        .filter(archived_at__isnull=True)
        .update(archived_at=timezone.now(), snoozed_until=None)
    )
    if count:
        live.push_counts([user.pk])
    return count


def unarchive(user, ids) -> int:
    """Puts archived rows back in the lists as they were (read or not). One UPDATE."""
    count = _own(user, ids).archived().update(archived_at=None)
    if count:
        live.push_counts([user.pk])
    return count


def mark_unread(user, ids) -> int:
    """Marks these read alerts, or open tasks, unread again (a closed task stays read, so the
    purge still takes it). One UPDATE."""
    count = _own(user, ids).filter(read_at__isnull=False, done_at__isnull=True).update(read_at=None)
    if count:
        live.push_counts([user.pk])
    return count


STATE_ACTIONS = {
    "archive": archive,
    "unarchive": unarchive,
    "unread": mark_unread,
    "unsnooze": unsnooze,
}


class Changed(NamedTuple):
    """What change_state did: how many rows changed, and until when they sleep (a snooze)."""

    count: int
    until: datetime | None = None


def change_state(user, ids, change: str, choice: str = "", until: str = "") -> Changed:
    """One of the inbox state changes by name, as the pages and the API offer them:
    snooze (with `choice` and `until`, see snooze_until), unsnooze, archive, unarchive, unread."""
    if change == "snooze":
        when = snooze_until(user, choice, until)
        return Changed(snooze(user, ids, when), when)
    if change not in STATE_ACTIONS:
        offered = ", ".join(["snooze", *STATE_ACTIONS])
        raise InboxError(_("Choose one of: %s.") % offered)
    return Changed(STATE_ACTIONS[change](user, ids))


WAKE_BATCH = 5000


def wake_snoozed(now=None, batch_size: int = WAKE_BATCH) -> int:
    """Brings back the rows whose snooze has ended, as new: unread, dated now, counted and
    pushed live to the open pages of their recipients. Runs every minute; each row comes back
    once (the UPDATE clears snoozed_until, so a second run finds nothing). Per batch: one
    SELECT, one UPDATE and the push tasks of the recipients online."""
    from alerts.output import schedule_push_rows

    now = now or timezone.now()
    total = 0
    while True:
        due = list(
            Alert.objects.filter(snoozed_until__lte=now, archived_at__isnull=True)
            .order_by("snoozed_until", "id")
            .values_list("pk", "recipient_id")[:batch_size]
        )
        if not due:
            return total
        ids = [pk for pk, _ in due]
        woken = Alert.objects.filter(pk__in=ids, snoozed_until__lte=now).update(
            snoozed_until=None, read_at=None, created_at=now
        )
        total += woken
        recipients = sorted({recipient for _, recipient in due})
        transaction.on_commit(
            lambda ids=ids, recipients=recipients: schedule_push_rows(ids, recipients)
        )
        if len(due) < batch_size:
            return total


def purge_archived(older_than_days: int | None = None) -> int:
    """Deletes rows archived more than ALERTS_ARCHIVE_RETENTION_DAYS ago (a range of the
    partial index inbox_archived)."""
    days = older_than_days or settings.ALERTS_ARCHIVE_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _rows = Alert.objects.filter(archived_at__lt=cutoff).delete()
    return deleted


def purge_read(older_than_days: int | None = None, batch_size: int = 5000) -> int:
    """Deletes alerts read (and tasks closed) more than the retention ago, in short batches.

    Unread alerts and open tasks are never purged, nor are snoozed rows (they come back unread)
    or archived ones (purge_archived keeps them longer). Each batch deletes one range of read_at
    (a range scan of the partial index inbox_read, no id list to ship back and forth), sized to
    hold about `batch_size` rows: the range doubles while batches come out small and halves when
    one comes out large, so no batch holds its locks for long. Each batch is its own transaction;
    running it twice deletes nothing more.
    """
    days = older_than_days or settings.ALERTS_READ_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    purgeable = Alert.objects.filter(snoozed_until__isnull=True, archived_at__isnull=True)
    oldest = (
        purgeable.filter(read_at__lt=cutoff)
        .order_by("read_at")
        .values_list("read_at", flat=True)
        .first()
    )
    total = 0
    step = timedelta(hours=1)
    while oldest is not None and oldest < cutoff:
        end = min(oldest + step, cutoff)
        with transaction.atomic():
            deleted, _rows = purgeable.filter(read_at__gte=oldest, read_at__lt=end).delete()
        total += deleted
        if deleted < batch_size // 2:
            step *= 2
        elif deleted > batch_size * 2:
            step /= 2
        oldest = end
    return total
