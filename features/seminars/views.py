"""Seminar pages: thin views over features.seminars.actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from features.seminars import actions, ical
from features.seminars.models import Booking, Seminar, Session
from notifications.preferences import emails


@login_required
@require_GET
def seminar_list(request):
    seminars = Seminar.objects.prefetch_related(
        Prefetch(
            "sessions",
            queryset=Session.objects.upcoming().order_by("starts_at"),
            to_attr="upcoming_sessions",
        )
    )
    return render(request, "seminars/seminar_list.html", {"seminars": seminars})


def _detail(request, seminar_id: int, *, error: str = "", status: int = 200):
    seminar = get_object_or_404(Seminar, pk=seminar_id)
    mine = Booking.objects.for_user(request.user).active()
    sessions = (
        seminar.sessions.with_booked_count()
        .prefetch_related("trainers", Prefetch("bookings", queryset=mine, to_attr="my_bookings"))
        .order_by("starts_at", "id")
    )
    now = timezone.now()
    rows = [
        {
            "session": s,
            "booking": s.my_bookings[0] if s.my_bookings else None,
            "places_left": max(s.capacity - s.booked_count, 0),
            "open": not s.is_cancelled and s.starts_at > now,
            "attendance": not s.is_cancelled
            and s.starts_at <= now
            and (request.user.is_staff or request.user in s.trainers.all()),
        }
        for s in sessions
    ]
    return render(
        request,
        "seminars/seminar_detail.html",
        {"seminar": seminar, "rows": rows, "error": error},
        status=status,
    )


@login_required
@require_GET
def seminar_detail(request, seminar_id: int):
    return _detail(request, seminar_id)


@login_required
@require_POST
def book(request, session_id: int):
    session = get_object_or_404(Session.objects.select_related("seminar"), pk=session_id)
    try:
        booking = actions.book(session, request.user, note=request.POST.get("note", "")[:2000])
    except actions.SeminarError as error:
        return _detail(request, session.seminar_id, error=str(error), status=400)
    messages.success(request, _booked_message(booking))
    return redirect(session.seminar.get_absolute_url())


SUCCESS = {
    Booking.Status.WAITLISTED: gettext_lazy("The session is full: you are on the wait-list."),
    Booking.Status.REQUESTED: gettext_lazy(
        "Your request has been sent to your manager for approval."
    ),
}


def _booked_message(booking: Booking) -> str:
    """What the page tells the learner, promising the invitation email only if one was sent."""
    if booking.status != Booking.Status.CONFIRMED:
        return SUCCESS[booking.status]
    if emails(booking.user, "seminars.booking_confirmation"):
        return _("You are booked. A calendar invitation is on its way by email.")
    return _(
        "You are booked. Booking confirmations are not emailed to you (your messaging "
        "preferences), so add the session to your calendar from My bookings."
    )


@login_required
@require_GET
def calendar(request, booking_id: int):
    """The learner's own invitation for a confirmed booking, as the last email carried it."""
    booking = get_object_or_404(
        Booking.objects.for_user(request.user).select_related("session__seminar", "user"),
        pk=booking_id,
    )
    if booking.status != Booking.Status.CONFIRMED or booking.session.is_cancelled:
        raise Http404("Only a confirmed booking has a calendar invitation.")
    content = ical.invitation(
        method=ical.REQUEST,
        session=booking.session,
        user=booking.user,
        sequence=max(booking.ics_sequence - 1, 0),
    )
    response = HttpResponse(content, content_type=f"{ical.MIMETYPE}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="seminar-{booking.session_id}.ics"'
    return response


@login_required
@require_GET
def my_bookings(request):
    return _bookings(request)


def _bookings(request, *, error: str = "", status: int = 200):
    bookings = (
        Booking.objects.for_user(request.user)
        .select_related("session__seminar")
        .order_by("-created_at", "-id")
    )
    now = timezone.now()
    rows = [
        {"booking": b, "can_cancel": b.is_active and b.session.starts_at > now} for b in bookings
    ]
    return render(
        request, "seminars/my_bookings.html", {"rows": rows, "error": error}, status=status
    )


@login_required
@require_POST
def cancel(request, booking_id: int):
    booking = get_object_or_404(Booking.objects.for_user(request.user), pk=booking_id)
    try:
        actions.cancel_booking(booking, request.user, reason=request.POST.get("reason", "")[:2000])
    except actions.SeminarError as error:
        return _bookings(request, error=str(error), status=400)
    messages.success(request, _("Your booking is cancelled."))
    return redirect("seminars:my-bookings")


@login_required
def attendance(request, session_id: int):
    """The session's trainers record who attended (once it has started)."""
    session = get_object_or_404(Session.objects.select_related("seminar__course"), pk=session_id)
    if not actions.can_take_attendance(request.user, session):
        raise Http404
    error = ""
    status = 200
    bookings = list(
        session.bookings.filter(status=Booking.Status.CONFIRMED)
        .select_related("user")
        .order_by("user__full_name", "user__username", "pk")
    )
    if request.method == "POST":
        marks = {}
        for booking in bookings:
            value = request.POST.get(f"attendance-{booking.pk}", "")
            if value:
                marks[booking.pk] = value
        try:
            if not marks:
                raise actions.SeminarError(_("Choose the attendance of at least one learner."))
            count = actions.take_attendance(session, request.user, marks)
        except actions.SeminarError as error_:
            error, status = str(error_), 400
            for booking in bookings:
                booking.chosen = request.POST.get(f"attendance-{booking.pk}", "")
        else:
            messages.success(
                request, _("Attendance saved for %(count)s learner(s).") % {"count": count}
            )
            return redirect("seminars:attendance", session_id=session.pk)
    elif request.method != "GET":
        return HttpResponse(status=405)
    for booking in bookings:
        if not hasattr(booking, "chosen"):
            booking.chosen = booking.attendance
    return render(
        request,
        "seminars/attendance.html",
        {
            "session": session,
            "bookings": bookings,
            "states": Booking.Attendance.choices,
            "started": session.starts_at <= timezone.now(),
            "error": error,
        },
        status=status,
    )
