from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy


class Seminar(models.Model):
    """A face-to-face event with one or more sessions that learners book places on."""

    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    course = models.ForeignKey(
        "courses.Course",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seminars",
        help_text=gettext_lazy("The course this seminar belongs to, if any."),
    )
    completion_required = models.BooleanField(
        default=False,
        help_text=gettext_lazy(
            "The course completes only when the learner fully attends a session."
        ),
    )
    notify_managers = models.BooleanField(
        default=False,
        help_text=(
            gettext_lazy(
                "Send the learner's managers a copy of booking confirmations, cancellations and "
                "reminders (without the calendar invitation)."
            )
        ),
    )
    reminder_days = models.PositiveSmallIntegerField(
        default=2,
        help_text=gettext_lazy(
            "Remind booked learners this many days before a session starts (0: no reminder)."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/seminars/{self.pk}/"


class SessionQuerySet(models.QuerySet):
    def with_booked_count(self):
        return self.annotate(
            booked_count=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED))
        )

    def upcoming(self, now=None):
        return self.filter(starts_at__gt=now or timezone.now(), cancelled_at__isnull=True)


class Session(models.Model):
    """One date of a seminar: when, where, how many places, who teaches it."""

    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    room = models.CharField(max_length=255, blank=True)
    capacity = models.PositiveIntegerField(
        default=10, help_text=gettext_lazy("How many learners can be booked on this session.")
    )
    needs_approval = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Bookings wait for the approval of the learner's manager."),
    )
    allow_waitlist = models.BooleanField(
        default=True,
        help_text=gettext_lazy(
            "When the session is full, further bookings join a wait-list and are "
            "confirmed in turn as places free up."
        ),
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SessionTrainer",
        related_name="seminar_sessions_taught",
        blank=True,
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seminar} — {timezone.localtime(self.starts_at):%d %b %Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class SessionTrainer(models.Model):
    """A trainer teaching a session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="trainer_links")
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["session", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "trainer"], name="one_trainer_link")
        ]

    def __str__(self) -> str:
        return f"{self.trainer} teaches {self.session}"


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=Booking.ACTIVE)

    def for_user(self, user):
        return self.filter(user=user)


class Booking(models.Model):
    """A learner's place (or request for one) on a session.

    A booking goes requested -> confirmed / waitlisted / declined (by a manager, or by
    expire_requests when the session starts first), waitlisted -> confirmed, and any active
    booking -> cancelled. A cancelled or declined booking stays for the record; the
    learner may book again, which makes a new row.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", gettext_lazy("Awaiting approval")
        WAITLISTED = "waitlisted", gettext_lazy("On the wait-list")
        CONFIRMED = "confirmed", gettext_lazy("Booked")
        DECLINED = "declined", pgettext_lazy("booking status", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("booking status", "Cancelled")

    ACTIVE = (Status.REQUESTED, Status.WAITLISTED, Status.CONFIRMED)

    class Attendance(models.TextChoices):
        FULLY = "fully", gettext_lazy("Fully attended")
        PARTIALLY = "partially", gettext_lazy("Partially attended")
        NO_SHOW = "no_show", gettext_lazy("No show")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="seminar_bookings"
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    note = models.TextField(
        blank=True, help_text=gettext_lazy("The learner's note to the approver.")
    )
    created_at = models.DateTimeField(default=timezone.now)
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("The manager who approved or declined the request."),
    )
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When the booking was cancelled or declined.")
    )
    reason = models.TextField(
        blank=True, help_text=gettext_lazy("Why it was cancelled or declined.")
    )
    ics_sequence = models.PositiveIntegerField(
        default=0,
        help_text=gettext_lazy("The SEQUENCE of the next calendar invitation sent for it."),
    )
    attendance = models.CharField(
        max_length=10,
        choices=Attendance.choices,
        blank=True,
        help_text=gettext_lazy("Taken by a trainer after the session started."),
    )
    attendance_taken_at = models.DateTimeField(null=True, blank=True)
    reminded_for = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "The session start the reminder was sent for (a new date gets a new reminder)."
        ),
    )

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"],
                condition=Q(status__in=["requested", "waitlisted", "confirmed"]),
                name="one_active_booking",
            )
        ]
        indexes = [
            # The wait-list of a session in order, and a session's confirmed places.
            models.Index(fields=["session", "status", "waitlisted_at"], name="booking_by_status"),
            # expire_requests: the requests still waiting (few), however many bookings there are.
            models.Index(
                fields=["session"],
                name="booking_requested",
                condition=Q(status="requested"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} on {self.session} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE
