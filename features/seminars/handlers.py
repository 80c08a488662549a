"""The approval task's buttons: a manager approves or declines a booking request."""

from django.utils.translation import gettext as _

from alerts.handlers import TaskRefused, task_action
from features.seminars import actions
from features.seminars.models import Booking


def _booking(event) -> Booking:
    booking = Booking.objects.filter(pk=(event.data or {}).get("booking_id")).first()
    if booking is None:
        raise TaskRefused(_("This booking no longer exists."))
    return booking


@task_action("seminars.approval_request", "approve")
def approve(event, actor, comment):
    try:
        actions.approve_booking(_booking(event), actor, comment)
    except actions.SeminarError as error:
        raise TaskRefused(str(error)) from None


@task_action("seminars.approval_request", "decline")
def decline(event, actor, comment):
    try:
        actions.decline_booking(_booking(event), actor, reason=comment)
    except actions.SeminarError as error:
        raise TaskRefused(str(error)) from None
