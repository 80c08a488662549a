"""The re-certification cycle: certify on completion, open the window, warn before it closes,
expire and reset. The certification's program (courses, assignments, due dates, messages) is
features.programs'; this app adds what happens after a learner is certified."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from features.certifications.models import Certification, LearnerCertification
from features.programs.actions import start_new_cycle
from features.programs.models import Assignment, MessageSetting, Program
from features.programs.notices import Notice, ensure_message_settings, notify
from features.programs.triggers import not_sent, programs_by_offset, row_of

Message = MessageSetting.Message
DEFAULT_RULES = Certification(active_days=365, window_days=30)


class CertificationError(ValueError):
    """A change that cannot be made; the message says why, and nothing was changed."""


@transaction.atomic
def create_certification(
    name: str, *, active_days: int = 365, window_days: int = 30, summary: str = ""
) -> Certification:
    """Creates a certification: its program (to fill with course sets) and its cycle's rules.

    Raises CertificationError if the window would open before the learner is certified.
    """
    if not name.strip():
        raise CertificationError(_("Give the certification a name."))
    if active_days < 1 or window_days >= active_days:
        raise CertificationError(
            _("The certification must stay valid for longer than its re-certification window.")
        )
    program = Program.objects.create(
        name=name.strip(), summary=summary, kind=Program.Kind.CERTIFICATION
    )
    ensure_message_settings(program)
    return Certification.objects.create(
        program=program, active_days=active_days, window_days=window_days
    )


def certify(assignments: list[Assignment], *, now) -> dict[int, object]:
    """Certifies learners who completed a certification's program; returns each assignment's
    new expiry date. Called by programs' update_progress (which sends `completed`).

    Re-certifying inside the window extends from the old expiry date, so finishing early costs
    the learner nothing; otherwise (first time, or after expiry) from now. Three queries.
    """
    rules = {
        c.program_id: c
        for c in Certification.objects.filter(program_id__in={a.program_id for a in assignments})
    }
    states = {
        s.assignment_id: s for s in LearnerCertification.objects.filter(assignment__in=assignments)
    }
    new, changed, expiries = [], [], {}
    for assignment in assignments:
        rule = rules.get(assignment.program_id, DEFAULT_RULES)
        state = states.get(assignment.pk)
        base = now
        if state and state.status == LearnerCertification.Status.WINDOW_OPEN:
            base = max(now, state.expires_at)
        expires_at = base + timedelta(days=rule.active_days)
        values = {
            "status": LearnerCertification.Status.CERTIFIED,
            "certified_at": now,
            "expires_at": expires_at,
            "window_opens_at": expires_at - timedelta(days=rule.window_days),
            "updated_at": now,
        }
        if state is None:
            new.append(LearnerCertification(assignment=assignment, **values))
        else:
            for name, value in values.items():
                setattr(state, name, value)
            changed.append(state)
        expiries[assignment.pk] = expires_at
    LearnerCertification.objects.bulk_create(new)
    LearnerCertification.objects.bulk_update(changed, list(values) if changed else ["status"])
    return expiries


def _states(**filters):
    return LearnerCertification.objects.filter(
        assignment__status=Assignment.Status.ACTIVE, **filters
    ).select_related("assignment__program", "assignment__user")


@transaction.atomic
def open_windows(now=None) -> int:
    """Opens the re-certification window of every certified learner whose window start has
    passed: their progress starts a new cycle, due at the expiry date, and they are told
    (recert_window_open). Idempotent: an open window is no longer `certified`."""
    now = now or timezone.now()
    states = list(
        _states(
            status=LearnerCertification.Status.CERTIFIED, window_opens_at__lte=now
        ).select_for_update(of=("self",))
    )
    for state in states:
        state.status = LearnerCertification.Status.WINDOW_OPEN
        state.updated_at = now
        state.assignment.due_at = state.expires_at
    LearnerCertification.objects.bulk_update(states, ["status", "updated_at"])
    start_new_cycle([s.assignment for s in states], now=now)
    return notify(
        Message.RECERT_WINDOW_OPEN,
        [Notice(s.assignment, s.expires_at, {"window_closes": s.expires_at}) for s in states],
    )


def send_window_closing(now=None) -> int:
    """N days before an open window closes (the expiry date), if the learner has not
    re-certified yet (recert_window_due_close); once per window."""
    now = now or timezone.now()
    told = 0
    for days, rows in programs_by_offset(
        Message.RECERT_WINDOW_DUE_CLOSE, Program.Kind.CERTIFICATION
    ):
        closing = (
            _states(
                status=LearnerCertification.Status.WINDOW_OPEN,
                assignment__program_id__in=rows,
                expires_at__gt=now,
                expires_at__lte=now + timedelta(days),
            )
            .annotate(message_row=row_of(rows, "assignment__program_id"))
            .filter(
                not_sent(
                    Message.RECERT_WINDOW_DUE_CLOSE, about="expires_at", assignment="assignment_id"
                )
            )
        )
        told += notify(
            Message.RECERT_WINDOW_DUE_CLOSE,
            [
                Notice(
                    s.assignment,
                    s.expires_at,
                    {"window_closes": s.expires_at},
                    setting_id=s.message_row,
                )
                for s in closing
            ],
        )
    return told


@transaction.atomic
def expire(now=None) -> int:
    """Expires every open window whose expiry date has passed: the learner is no longer
    certified, their progress is reset (they start again, overdue since the expiry date) and
    they are told (recert_failed). Idempotent: an expired learner is no longer `window_open`."""
    now = now or timezone.now()
    states = list(
        _states(
            status=LearnerCertification.Status.WINDOW_OPEN, expires_at__lte=now
        ).select_for_update(of=("self",))
    )
    for state in states:
        state.status = LearnerCertification.Status.EXPIRED
        state.updated_at = now
        state.assignment.due_at = state.expires_at
    LearnerCertification.objects.bulk_update(states, ["status", "updated_at"])
    start_new_cycle([s.assignment for s in states], now=now)
    return notify(
        Message.RECERT_FAILED,
        [Notice(s.assignment, s.expires_at, {"expiry_date": s.expires_at}) for s in states],
    )


def run_cycle(now=None) -> dict[str, int]:
    """Every re-certification step due now, in order (a window long open may expire at once)."""
    now = now or timezone.now()
    return {
        "windows_opened": open_windows(now),
        "closing_warned": send_window_closing(now),
        "expired": expire(now),
    }


def follow_extension(assignment: Assignment) -> None:
    """A granted extension of a learner in their window moves the window's close (the expiry)
    to the new due date, so the extension is not undone by the expiry."""
    LearnerCertification.objects.filter(
        assignment_id=assignment.pk, status=LearnerCertification.Status.WINDOW_OPEN
    ).update(expires_at=assignment.due_at, updated_at=timezone.now())
