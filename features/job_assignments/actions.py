"""Managers and temporary managers: changes, and the alert each sends."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.job_assignments.models import JobAssignment


class JobAssignmentError(ValueError):
    """A change that cannot be made; the message says why."""


def check_temp_manager(user_id: int, temp_manager, expires_at) -> None:
    """Raises JobAssignmentError if this temporary manager cannot be set."""
    if temp_manager is None:
        return
    if temp_manager.pk == user_id:
        raise JobAssignmentError(_("A user cannot be their own temporary manager."))
    if expires_at is None or expires_at <= timezone.now():
        raise JobAssignmentError(_("The expiry date must be in the future."))


def announce_temp_manager(assignment: JobAssignment, actor=None) -> None:
    """Tells the learner, the temporary manager and the manager of a new temporary manager."""
    _tell(assignment, assignment.temp_manager, expired=False, actor=actor)


def _tell(assignment: JobAssignment, temp_manager, *, expired: bool, actor=None) -> None:
    recipients = [r for r in (assignment.user, temp_manager, assignment.manager) if r]
    notifications.send(
        "job_assignments.temp_manager_updated",
        recipients,
        context={
            "learner": assignment.user.display_name,
            "temp_manager": temp_manager.display_name,
            "expiry_date": assignment.temp_manager_expires_at,
            "expired": expired,
        },
        sender=actor,
        # A page each of them can open (the admin's change page was for staff only); once the
        # stand-in's time is over the assignment is no longer theirs to see, so that notice
        # links the learner's profile.
        url=(
            reverse("profile", args=[assignment.user_id])
            if expired
            else reverse("job_assignments:detail", args=[assignment.pk])
        ),
        # One alert per change: a retried request or a second cron run sends nothing new.
        dedupe_key=(
            f"temp:{assignment.pk}:{temp_manager.pk}:"
            f"{int(assignment.temp_manager_expires_at.timestamp())}:"
            f"{'expired' if expired else 'set'}"
        ),
    )


@transaction.atomic
def set_temp_manager(assignment: JobAssignment, temp_manager, expires_at, actor=None):
    """Sets (or changes) the temporary manager until `expires_at` and tells the people concerned.

    Raises JobAssignmentError for a date in the past or the user as their own manager.
    """
    check_temp_manager(assignment.user_id, temp_manager, expires_at)
    assignment.temp_manager = temp_manager
    assignment.temp_manager_expires_at = expires_at
    assignment.save(update_fields=["temp_manager", "temp_manager_expires_at", "updated_at"])
    _tell(assignment, temp_manager, expired=False, actor=actor)
    return assignment


@transaction.atomic
def expire_temp_managers(now=None) -> int:
    """Ends every temporary assignment past its expiry and tells the people concerned.

    Idempotent: an expired assignment no longer has a temporary manager, so a second run finds
    nothing.
    """
    now = now or timezone.now()
    expired = list(
        JobAssignment.objects.expired_temp_managers(now)
        .select_for_update(of=("self",))
        .select_related("user", "manager", "temp_manager")
    )
    for assignment in expired:
        former = assignment.temp_manager
        _tell(assignment, former, expired=True)
        assignment.temp_manager = None
        assignment.temp_manager_expires_at = None
    JobAssignment.objects.bulk_update(expired, ["temp_manager", "temp_manager_expires_at"])
    return len(expired)
