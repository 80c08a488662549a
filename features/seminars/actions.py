"""What learners, managers and admins do with seminars, and the messages each change sends.

Every action validates first and raises SeminarError (changing nothing) when it cannot be done,
then changes state, then calls notifications.send. Actions that count places lock the session
row, so two learners booking the last place at once are served one after the other.

Messages that name one learner (confirmation, cancellation, reminder...) are sent once per
booking: their context names the learner and their email carries that learner's own calendar
invitation. A session holds at most its capacity, so this stays a bounded number of sends; the
learners' managers are read in one query for all of them.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import notifications
from alerts import actions as inbox
from alerts.models import Alert
from features.courses import completion
from features.job_assignments.models import managers_of
from features.seminars import ical
from features.seminars.models import Booking, Seminar, Session, SessionTrainer

Status = Booking.Status
APPROVAL_TASK = "seminars.approval_request"


class SeminarError(ValueError):
    """A booking or session change that cannot be made; the message says why."""


# Reading helpers ------------------------------------------------------------------------------


def _names(users) -> str:
    return ", ".join(sorted(u.display_name for u in users))


def _session_context(session: Session, trainers=None) -> dict:
    trainers = session.trainers.all() if trainers is None else trainers
    return {
        "seminar": session.seminar.name,
        "session_date": session.starts_at,
        "room": session.room,
        "trainer": _names(trainers),
    }


def _lock(session: Session) -> Session:
    """The session re-read under a row lock (its seminar and course joined)."""
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("seminar__course")
        .get(pk=session.pk)
    )


def _booked_count(session: Session) -> int:
    return session.bookings.filter(status=Status.CONFIRMED).count()


def _url(session: Session) -> str:
    return session.seminar.get_absolute_url()


def _about(session: Session) -> list:
    """What a seminar's messages come from, for muting: its course, when it has one. (Muting
    never holds back its tasks or its calendar invitations: notifications.muting.)"""
    course = session.seminar.course
    return [course] if course is not None else []


def _managers(user_ids, seminar: Seminar) -> dict[int, set[int]]:
    """Who gets a manager copy for each learner: nobody unless the seminar says so."""
    if not seminar.notify_managers:
        return {}
    return managers_of(user_ids)


def _tell_learner(
    key: str,
    booking: Booking,
    *,
    context: dict,
    managers=(),
    sender=None,
    ics_method: str | None = None,
    dedupe_key: str | None = None,
) -> None:
    """Sends `key` to the booking's learner (with a calendar invitation when `ics_method` is set)
    and, as a separate send without any attachment, a copy to `managers`.

    Advances booking.ics_sequence when an invitation goes out; the caller saves the booking.
    """
    session = booking.session
    data = {}
    if ics_method:
        data["attachments"] = [
            ical.attachment(
                method=ics_method, session=session, user=booking.user, sequence=booking.ics_sequence
            )
        ]
        booking.ics_sequence += 1
    context = {**context, "learner": booking.user.display_name}
    notifications.send(
        key,
        [booking.user],
        context=context,
        # A learner who cancels their own booking is told too: the email removes the event
        # from their calendar. send() leaves the sender out, so name no sender then.
        sender=sender if sender is not None and sender.pk != booking.user_id else None,
        url=_url(session),
        about=_about(session),
        data=data,
        dedupe_key=dedupe_key,
    )
    if managers:
        # Manager copies never carry the calendar invitation: it is the learner's event.
        notifications.send(
            key,
            list(managers),
            context={**context, "manager_copy": True},
            sender=sender,
            url=_url(session),
            about=_about(session),
            dedupe_key=f"{dedupe_key}:manager" if dedupe_key else None,
        )


def _confirm(booking: Booking, *, managers=(), sender=None, now=None) -> None:
    now = now or timezone.now()
    booking.status = Status.CONFIRMED
    booking.confirmed_at = now
    _tell_learner(
        "seminars.booking_confirmation",
        booking,
        context=_session_context(booking.session),
        managers=managers,
        sender=sender,
        ics_method=ical.REQUEST,
    )
    booking.save(update_fields=["status", "confirmed_at", "ics_sequence", "decided_by"])


def _waitlist(booking: Booking, *, sender=None, now=None) -> None:
    booking.status = Status.WAITLISTED
    booking.waitlisted_at = now or timezone.now()
    booking.save(update_fields=["status", "waitlisted_at", "decided_by"])
    session = booking.session
    notifications.send(
        "seminars.waitlist_advice",
        [booking.user],
        context={"seminar": session.seminar.name, "session_date": session.starts_at},
        sender=sender,
        url=_url(session),
        about=_about(session),
    )


def _check_open(session: Session, now) -> None:
    if session.is_cancelled:
        raise SeminarError(_("This session has been cancelled."))
    if session.starts_at <= now:
        raise SeminarError(_("This session has already started; it can no longer be booked."))


def _place(booking: Booking, session: Session, *, managers=(), sender=None, now=None) -> None:
    """Confirms the booking if a place is free, else puts it on the wait-list."""
    if _booked_count(session) < session.capacity:
        _confirm(booking, managers=managers, sender=sender, now=now)
    elif session.allow_waitlist:
        _waitlist(booking, sender=sender, now=now)
    else:
        raise SeminarError(_("This session is full."))


# Learners -------------------------------------------------------------------------------------


ALREADY = {
    Status.REQUESTED: gettext_lazy(
        "You have already asked to book this session; your manager has not answered yet."
    ),
    Status.WAITLISTED: gettext_lazy("You are already on the wait-list for this session."),
    Status.CONFIRMED: gettext_lazy("You are already booked on this session."),
}


@transaction.atomic
def book(session: Session, user, note: str = "") -> Booking:
    """Books `user` on `session`.

    A session that needs approval makes a request (the learner is told, their managers get the
    approval task); otherwise the booking is confirmed (with a calendar invitation) or, when the
    session is full, wait-listed. Raises SeminarError for a cancelled, started or full session
    (full with no wait-list), a second booking, or a request with no manager to approve it.
    """
    now = timezone.now()
    session = _lock(session)
    _check_open(session, now)
    existing = session.bookings.active().filter(user=user).first()
    if existing is not None:
        raise SeminarError(ALREADY[existing.status])
    if not session.allow_waitlist and _booked_count(session) >= session.capacity:
        raise SeminarError(_("This session is full."))
    managers = managers_of([user.pk])[user.pk]
    approvers = []
    if session.needs_approval:
        approvers = list(get_user_model().objects.filter(pk__in=managers, is_active=True))
    if session.needs_approval and not approvers:
        raise SeminarError(
            _(
                "This session needs your manager's approval, but you have no manager. "
                "Please ask your administrator to set one."
            )
        )
    previous = (
        Booking.objects.filter(session=session, user=user)
        .order_by("-ics_sequence")
        .values_list("ics_sequence", flat=True)
        .first()
    )
    booking = Booking.objects.create(
        session=session,
        user=user,
        status=Status.REQUESTED,
        note=note.strip(),
        created_at=now,
        # A calendar that saw an earlier cancellation of this event only takes a newer SEQUENCE.
        ics_sequence=previous or 0,
    )
    booking.session = session
    booking.user = user
    if not session.needs_approval:
        copies = managers if session.seminar.notify_managers else ()
        _place(booking, session, managers=copies, now=now)
        return booking
    _request_approval(booking, session, approvers)
    return booking


def _request_approval(booking: Booking, session: Session, approvers: list) -> None:
    names = " or ".join(sorted(u.display_name for u in approvers))
    context = {"seminar": session.seminar.name, "session_date": session.starts_at}
    notifications.send(
        "seminars.booking_request",
        [booking.user],
        context={**context, "approver": names},
        url=_url(session),
        about=_about(session),
    )
    notifications.send(
        APPROVAL_TASK,
        approvers,
        context={
            **context,
            "learner": booking.user.display_name,
            "room": session.room,
            "note": booking.note,
        },
        sender=booking.user,
        url=_url(session),
        about=_about(session),
        data={"booking_id": booking.pk},
        dedupe_key=f"seminars:booking:{booking.pk}:approval",
    )


@transaction.atomic
def cancel_booking(booking: Booking, actor, reason: str = "") -> Booking:
    """Cancels an active booking (the learner's own, or by an admin) before the session starts.

    The learner is told (a confirmed booking's email carries the calendar cancellation), with a
    copy to their managers if the seminar says so; a freed place goes to the wait-list; a
    request's approval task is closed for every manager who received it.
    Raises SeminarError for a booking that is not active or a session that has started.
    """
    now = timezone.now()
    reason = reason.strip()
    if booking.status == Status.REQUESTED:
        # The task before the session: act_on_task locks a task's copies before its handler
        # locks the session, so a manager answering at this moment and this cancellation take
        # their locks in the same order and are served one after the other, not deadlocked.
        # Should the booking turn out not to be cancellable, the rollback reopens the task.
        close_approval_tasks([booking.pk], action="cancelled", actor=actor, reason=reason)
    session = _lock(booking.session)
    booking = Booking.objects.select_for_update().select_related("user").get(pk=booking.pk)
    booking.session = session
    if not booking.is_active:
        raise SeminarError(
            _("This booking is already %(status)s.")
            % {"status": booking.get_status_display().lower()}
        )
    if session.starts_at <= now:
        raise SeminarError(_("This session has already started; the booking can no longer change."))
    was_confirmed = booking.status == Status.CONFIRMED
    booking.status = Status.CANCELLED
    booking.ended_at = now
    booking.reason = reason
    _tell_learner(
        "seminars.booking_cancellation",
        booking,
        context={
            "seminar": session.seminar.name,
            "session_date": session.starts_at,
            "reason": booking.reason,
        },
        managers=_managers([booking.user_id], session.seminar).get(booking.user_id, ()),
        sender=actor,
        ics_method=ical.CANCEL if was_confirmed else None,
    )
    booking.save(update_fields=["status", "ended_at", "reason", "ics_sequence"])
    if was_confirmed:
        _fill_from_waitlist(session, now=now)
    return booking


# Managers -------------------------------------------------------------------------------------


def close_approval_tasks(booking_ids, *, action: str, actor=None, reason: str = "") -> int:
    """Closes the approval tasks of these booking requests for every manager who received them,
    so they leave their Tasks blocks: the requests no longer wait for an answer (cancelled, or
    about to be deleted). `action` says what happened, in the past tense ("cancelled"); a
    later click on a task is refused with it. Idempotent; two queries (none without ids).
    Returns how many task copies it closed.
    """
    booking_ids = list(booking_ids)
    if not booking_ids:
        return 0
    return inbox.close_tasks(
        APPROVAL_TASK,
        data={"booking_id": booking_ids},
        action=action,
        actor=actor,
        comment=reason,
    )


def _lock_request(booking: Booking) -> tuple[Booking, Session]:
    session = _lock(booking.session)
    booking = Booking.objects.select_for_update().select_related("user").get(pk=booking.pk)
    booking.session = session
    if booking.status != Status.REQUESTED:
        if booking.status == Status.CANCELLED:
            raise SeminarError(
                _("%(user)s has cancelled this booking request.")
                % {"user": booking.user.display_name}
            )
        raise SeminarError(
            _("This booking request is no longer waiting: it is %(status)s.")
            % {"status": booking.get_status_display().lower()}
        )
    return booking, session


@transaction.atomic
def approve_booking(booking: Booking, actor, comment: str = "") -> Booking:
    """The manager approves a booking request: confirmed if a place is free, else wait-listed.

    Raises SeminarError if the request is no longer waiting, or the session is cancelled,
    started, or full with no wait-list. Who may approve is checked by the caller (the task's
    recipients are the learner's managers).
    """
    now = timezone.now()
    booking, session = _lock_request(booking)
    _check_open(session, now)
    booking.decided_by = actor
    copies = _managers([booking.user_id], session.seminar).get(booking.user_id, ())
    _place(booking, session, managers=copies, sender=actor, now=now)
    return booking


@transaction.atomic
def decline_booking(booking: Booking, actor, reason: str = "") -> Booking:
    """The manager declines a booking request; the learner is told, with the reason."""
    now = timezone.now()
    booking, session = _lock_request(booking)
    booking.status = Status.DECLINED
    booking.decided_by = actor
    booking.ended_at = now
    booking.reason = reason.strip()
    booking.save(update_fields=["status", "decided_by", "ended_at", "reason"])
    notifications.send(
        "seminars.booking_declined",
        [booking.user],
        context={
            "seminar": session.seminar.name,
            "session_date": session.starts_at,
            "reason": booking.reason,
        },
        sender=actor,
        url=_url(session),
        about=_about(session),
    )
    return booking


# Admins: sessions and trainers ----------------------------------------------------------------


def _fill_from_waitlist(session: Session, *, now=None) -> int:
    """Confirms wait-listed bookings, first come first served, while places are free.

    The caller holds the session's lock.
    """
    now = now or timezone.now()
    if session.is_cancelled or session.starts_at <= now:
        return 0
    free = session.capacity - _booked_count(session)
    if free <= 0:
        return 0
    promoted = list(
        session.bookings.filter(status=Status.WAITLISTED)
        .select_related("user")
        .order_by("waitlisted_at", "id")[:free]
    )
    managers = _managers([b.user_id for b in promoted], session.seminar)
    trainers = list(session.trainers.all())
    for booking in promoted:
        booking.session = session
        booking.status = Status.CONFIRMED
        booking.confirmed_at = now
        _tell_learner(
            "seminars.booking_confirmation",
            booking,
            context=_session_context(session, trainers),
            managers=managers.get(booking.user_id, ()),
            ics_method=ical.REQUEST,
        )
    Booking.objects.bulk_update(promoted, ["status", "confirmed_at", "ics_sequence"])
    return len(promoted)


@transaction.atomic
def fill_from_waitlist(session: Session) -> int:
    """Gives free places (e.g. after the capacity grew) to the wait-list; returns how many."""
    return _fill_from_waitlist(_lock(session))


def check_session_dates(session: Session, starts_at, ends_at) -> None:
    """Raises SeminarError if the session cannot move to these dates."""
    if session.pk and session.is_cancelled:
        raise SeminarError(_("A cancelled session cannot be moved."))
    if starts_at is None or ends_at is None:
        raise SeminarError(_("A session needs a start and an end."))
    if ends_at <= starts_at:
        raise SeminarError(_("The session must end after it starts."))
    if session.pk and starts_at <= timezone.now():
        raise SeminarError(_("The new start must be in the future."))


@transaction.atomic
def change_session_dates(session: Session, starts_at, ends_at, actor=None) -> Session:
    """Moves a session and tells its booked learners and trainers.

    Confirmed learners' email carries the updated calendar invitation (same UID, next
    SEQUENCE); learners waiting for approval or a place, and the trainers, get the alert alone.
    Raises SeminarError for a cancelled session, a start in the past or an end before the start.
    """
    session = _lock(session)
    check_session_dates(session, starts_at, ends_at)
    previous = session.starts_at
    if (starts_at, ends_at) == (session.starts_at, session.ends_at):
        return session
    session.starts_at, session.ends_at = starts_at, ends_at
    session.save(update_fields=["starts_at", "ends_at"])
    context = {
        "seminar": session.seminar.name,
        "session_date": starts_at,
        "previous_date": previous,
        "room": session.room,
    }
    bookings = list(session.bookings.active().select_related("user"))
    confirmed = [b for b in bookings if b.status == Status.CONFIRMED]
    for booking in confirmed:
        booking.session = session
        _tell_learner(
            "seminars.booking_datetime_changed",
            booking,
            context=context,
            sender=actor,
            ics_method=ical.REQUEST,
        )
    Booking.objects.bulk_update(confirmed, ["ics_sequence"])
    others = [b.user_id for b in bookings if b.status != Status.CONFIRMED]
    others += list(session.trainers.values_list("pk", flat=True))
    if others:
        notifications.send(
            "seminars.booking_datetime_changed",
            others,
            context=context,
            sender=actor,
            url=_url(session),
            about=_about(session),
        )
    return session


@transaction.atomic
def cancel_session(session: Session, actor=None, reason: str = "") -> Session:
    """Cancels a session: every active booking is cancelled (learners told, confirmed ones with
    the calendar cancellation, managers copied if the seminar says so, requests' approval tasks
    closed) and its trainers told.

    Raises SeminarError for a session already cancelled or started.
    """
    now = timezone.now()
    reason = reason.strip()
    # The approval tasks before the session, in the order act_on_task takes them (see
    # cancel_booking); a request made before the lock below is closed after it.
    requested = set(session.bookings.filter(status=Status.REQUESTED).values_list("pk", flat=True))
    close_approval_tasks(requested, action="cancelled", actor=actor, reason=reason)
    session = _lock(session)
    if session.is_cancelled:
        raise SeminarError(_("This session is already cancelled."))
    if session.starts_at <= now:
        raise SeminarError(_("This session has already started; it can no longer be cancelled."))
    session.cancelled_at = now
    session.save(update_fields=["cancelled_at"])
    bookings = list(session.bookings.active().select_related("user"))
    close_approval_tasks(
        [b.pk for b in bookings if b.status == Status.REQUESTED and b.pk not in requested],
        action="cancelled",
        actor=actor,
        reason=reason,
    )
    managers = _managers([b.user_id for b in bookings], session.seminar)
    context = {"seminar": session.seminar.name, "session_date": session.starts_at, "reason": reason}
    for booking in bookings:
        booking.session = session
        was_confirmed = booking.status == Status.CONFIRMED
        booking.status = Status.CANCELLED
        booking.ended_at = now
        booking.reason = reason
        _tell_learner(
            "seminars.booking_cancellation",
            booking,
            context=context,
            managers=managers.get(booking.user_id, ()),
            sender=actor,
            ics_method=ical.CANCEL if was_confirmed else None,
        )
    Booking.objects.bulk_update(bookings, ["status", "ended_at", "reason", "ics_sequence"])
    trainers = list(session.trainers.values_list("pk", flat=True))
    if trainers:
        notifications.send(
            "seminars.trainer_session_cancellation",
            trainers,
            context=context,
            sender=actor,
            url=_url(session),
            about=_about(session),
        )
    return session


@transaction.atomic
def assign_trainer(session: Session, trainer, actor=None) -> SessionTrainer:
    """Makes `trainer` teach `session` and tells them. Raises SeminarError if they already do
    or the session is cancelled."""
    session = _lock(session)
    if session.is_cancelled:
        raise SeminarError(_("This session has been cancelled."))
    if SessionTrainer.objects.filter(session=session, trainer=trainer).exists():
        raise SeminarError(
            _("%(trainer)s already teaches this session.") % {"trainer": trainer.display_name}
        )
    link = SessionTrainer.objects.create(session=session, trainer=trainer)
    notifications.send(
        "seminars.trainer_confirmation",
        [trainer],
        context={
            "seminar": session.seminar.name,
            "session_date": session.starts_at,
            "room": session.room,
        },
        sender=actor,
        url=_url(session),
        about=_about(session),
    )
    return link


@transaction.atomic
def unassign_trainer(session: Session, trainer, actor=None) -> None:
    """Removes `trainer` from `session`; tells them if the session is still to come.
    Raises SeminarError if they do not teach it."""
    session = _lock(session)
    deleted, _kinds = SessionTrainer.objects.filter(session=session, trainer=trainer).delete()
    if not deleted:
        raise SeminarError(
            _("%(trainer)s does not teach this session.") % {"trainer": trainer.display_name}
        )
    if session.is_cancelled or session.starts_at <= timezone.now():
        return
    notifications.send(
        "seminars.trainer_unassigned",
        [trainer],
        context={"seminar": session.seminar.name, "session_date": session.starts_at},
        sender=actor,
        url=_url(session),
        about=_about(session),
    )


def can_take_attendance(user, session: Session) -> bool:
    """The session's trainers and site staff."""
    return user.is_staff or SessionTrainer.objects.filter(session=session, trainer=user).exists()


@transaction.atomic
def take_attendance(session: Session, actor, marks: dict, now=None) -> int:
    """Records the attendance of confirmed bookings of a session that has started: `marks`
    maps booking ids to Booking.Attendance values. A learner who fully attended has
    completed the seminar, which completes their course when it requires the seminar.

    Raises SeminarError, changing nothing, when `actor` does not teach the session, it is
    cancelled or has not started, a booking is not a confirmed booking of it, or a value is
    not an attendance state. A constant number of queries however many learners.
    """
    now = now or timezone.now()
    session = _lock(session)
    if not can_take_attendance(actor, session):
        raise SeminarError(_("Only the session's trainers can take its attendance."))
    if session.is_cancelled:
        raise SeminarError(_("This session has been cancelled."))
    if session.starts_at > now:
        raise SeminarError(_("Attendance can be taken once the session has started."))
    states = set(Booking.Attendance.values)
    wrong = sorted(str(v) for v in marks.values() if v not in states)
    if wrong:
        raise SeminarError(_("Not an attendance state: %(wrong)s.") % {"wrong": ", ".join(wrong)})
    bookings = list(
        Booking.objects.filter(
            session=session, status=Booking.Status.CONFIRMED, pk__in=list(marks)
        ).select_for_update()
    )
    if len(bookings) != len(marks):
        raise SeminarError(_("Attendance can only be taken for the session's confirmed bookings."))
    for booking in bookings:
        booking.attendance = marks[booking.pk]
        booking.attendance_taken_at = now
    Booking.objects.bulk_update(bookings, ["attendance", "attendance_taken_at"])
    completion.record(
        session.seminar,
        [b.user_id for b in bookings if b.attendance == Booking.Attendance.FULLY],
        now=now,
    )
    return len(bookings)


# Scheduled ------------------------------------------------------------------------------------


def due_reminders(now=None):
    """Confirmed bookings whose reminder is due now: the session starts within its seminar's
    reminder days, the learner was not reminded for this start yet, and was booked before the
    reminder window opened (a learner who books inside it has just had the confirmation)."""
    now = now or timezone.now()
    day_counts = set(
        Session.objects.upcoming(now)
        .filter(seminar__reminder_days__gt=0)
        .values_list("seminar__reminder_days", flat=True)
        .distinct()
    )
    if not day_counts:
        return Booking.objects.none()
    due = Q()
    for days in day_counts:
        window = timedelta(days=days)
        due |= Q(
            session__seminar__reminder_days=days,
            session__starts_at__lte=now + window,
            confirmed_at__lt=F("session__starts_at") - window,
        )
    return (
        Booking.objects.filter(
            due,
            status=Status.CONFIRMED,
            session__starts_at__gt=now,
            session__cancelled_at__isnull=True,
        )
        .exclude(reminded_for=F("session__starts_at"))
        .select_related("user", "session__seminar__course")
        .prefetch_related("session__trainers")
    )


@transaction.atomic
def send_reminders(now=None) -> int:
    """Sends each due reminder once (learner, plus a copy to managers if the seminar says so).

    Idempotent: the booking records the start it was reminded for, and the dedupe key names
    the booking and that start, so cron can run any number of times.
    """
    now = now or timezone.now()
    bookings = list(due_reminders(now).select_for_update(of=("self",)))
    copies: dict[int, set[int]] = managers_of(
        [b.user_id for b in bookings if b.session.seminar.notify_managers]
    )
    for booking in bookings:
        session = booking.session
        _tell_learner(
            "seminars.booking_reminder",
            booking,
            context=_session_context(session, session.trainers.all()),
            managers=copies.get(booking.user_id, ()),
            dedupe_key=f"seminars:reminder:{booking.pk}:{ical.utc(session.starts_at)}",
        )
        booking.reminded_for = session.starts_at
    Booking.objects.bulk_update(bookings, ["reminded_for"])
    return len(bookings)


EXPIRED_REASON = "The session started before the request was answered."
REMOVED_REASON = "The booking request no longer exists."


@transaction.atomic
def expire_requests(now=None) -> int:
    """Declines the booking requests still waiting when their session starts (a manager can no
    longer approve them), closes their approval tasks for every manager as "expired", and tells
    each learner with seminars.booking_declined (no sender; the reason says why).

    Idempotent: a declined request is not found again, and the message's dedupe key names the
    session and its start. A constant number of queries however many requests, plus one send
    per session that has some (the message's context is the session's, the same for all its
    learners). Returns how many requests it declined.
    """
    now = now or timezone.now()
    started = list(
        Booking.objects.filter(status=Status.REQUESTED, session__starts_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    if not started:
        return 0
    # The tasks before the bookings, in the order act_on_task takes its locks (see
    # cancel_booking); a request answered meanwhile is no longer requested below.
    close_approval_tasks(started, action="expired", reason=EXPIRED_REASON)
    bookings = list(
        Booking.objects.filter(pk__in=started, status=Status.REQUESTED)
        .select_for_update(of=("self",))
        .select_related("user", "session__seminar__course")
        .order_by("session_id", "id")
    )
    Booking.objects.filter(pk__in=[b.pk for b in bookings]).update(
        status=Status.DECLINED, ended_at=now, reason=EXPIRED_REASON
    )
    learners: dict[int, list] = {}
    sessions: dict[int, Session] = {}
    for booking in bookings:
        sessions[booking.session_id] = booking.session
        learners.setdefault(booking.session_id, []).append(booking.user)
    for session_id, users in learners.items():
        session = sessions[session_id]
        notifications.send(
            "seminars.booking_declined",
            users,
            context={
                "seminar": session.seminar.name,
                "session_date": session.starts_at,
                "reason": EXPIRED_REASON,
            },
            url=_url(session),
            about=_about(session),
            dedupe_key=f"seminars:expired:{session.pk}:{ical.utc(session.starts_at)}",
        )
    return len(bookings)


@transaction.atomic
def close_orphan_approval_tasks() -> int:
    """Closes, as "removed", the open approval tasks whose booking request no longer exists:
    deleted with the learner's account, or by any other path that skips the admin (which closes
    them itself). Idempotent; at most three queries. Returns how many task copies it closed.
    """
    booking_id = Cast(KeyTextTransform("booking_id", "event__data"), IntegerField())
    gone = list(
        Alert.objects.tasks()
        .open()
        .filter(key=APPROVAL_TASK)
        .annotate(booking_id=booking_id)
        .filter(booking_id__isnull=False)
        .exclude(Exists(Booking.objects.filter(pk=OuterRef("booking_id"))))
        .values_list("booking_id", flat=True)
        .distinct()
    )
    return close_approval_tasks(gone, action="removed", reason=REMOVED_REASON)
