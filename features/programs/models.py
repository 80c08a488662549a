"""Programs (and the programs under certifications): course sets of courses, learners assigned
with a due date, their progress, the program's message settings and send log, extension requests
and assignment exceptions."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from features.courses.models import Course


class Program(models.Model):
    """A program: course sets to complete by a due date. A certification is a program of kind
    `certification` with a re-certification cycle (features.certifications)."""

    class Kind(models.TextChoices):
        PROGRAM = "program", gettext_lazy("Program")
        CERTIFICATION = "certification", gettext_lazy("Certification")

    name = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    kind = models.CharField(
        max_length=15,
        choices=Kind.choices,
        default=Kind.PROGRAM,
        help_text=gettext_lazy(
            "A certification's messages are the certification ones (certifications.*)."
        ),
    )
    allow_extension_requests = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Whether learners may ask their manager to move their due date."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def feature(self) -> str:
        """The catalogue feature whose message types this program sends."""
        return "certifications" if self.kind == self.Kind.CERTIFICATION else "programs"

    @property
    def noun(self) -> str:
        """The context name of the program in its messages: `program` or `certification`."""
        return "certification" if self.kind == self.Kind.CERTIFICATION else "program"

    def key(self, message: str) -> str:
        return f"{self.feature}.{message}"


class CourseSet(models.Model):
    """A group of courses within a program; complete when all (or any one) of them are."""

    class Completion(models.TextChoices):
        ALL = "all", gettext_lazy("All courses")
        ANY = "any", gettext_lazy("Any one course")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="course_sets")
    name = models.CharField(max_length=255)
    position = models.PositiveSmallIntegerField(default=0)
    completion = models.CharField(
        max_length=3,
        choices=Completion.choices,
        default=Completion.ALL,
        help_text=gettext_lazy("What a learner must complete for the course set to be complete."),
    )
    courses = models.ManyToManyField(Course, related_name="program_course_sets")
    time_allowance_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Days after the assignment by which the course set is due; empty: it is due "
            "with the program."
        ),
    )

    class Meta:
        ordering = ["program_id", "position", "id"]

    def __str__(self) -> str:
        return self.name


class Source(models.TextChoices):
    """How a learner came to be assigned."""

    INDIVIDUAL = "individual", gettext_lazy("Individually")
    MANAGER_TEAM = "manager_team", gettext_lazy("Manager's team")
    AUDIENCE = "audience", gettext_lazy("Audience")


class AssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Assignment.Status.ACTIVE)

    def incomplete(self):
        return self.filter(completed_at__isnull=True)

    def current(self):
        """Not removed: active, or waiting on an exception."""
        return self.exclude(status=Assignment.Status.REMOVED)


class Assignment(models.Model):
    """A learner's assignment to a program: due date, progress cycle and completion.

    A learner has at most one current (not removed) assignment per program; a second request
    raises a duplicate exception instead.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", gettext_lazy("Active")
        EXCEPTION = "exception", gettext_lazy("Waiting on an exception")
        REMOVED = "removed", gettext_lazy("Removed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="program_assignments"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=15, choices=Source.choices, default=Source.INDIVIDUAL)
    source_id = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "The manager (manager's team) or audience the assignment came from."
        ),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When the program is due.")
    )
    cycle_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "Course completions before this time do not count (set when a certification's "
            "progress is reset); empty: every completion counts."
        ),
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "user"],
                condition=~Q(status="removed"),
                name="one_current_assignment_per_program",
            )
        ]
        indexes = [
            # My learning, and complete_course(): a learner's current assignments.
            models.Index(fields=["user", "status"], name="program_assignment_user"),
            # The due and overdue scans: a program's active, incomplete assignments by due date.
            models.Index(
                fields=["program", "due_at"],
                name="program_assignment_due",
                condition=Q(status="active", completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.program}"


class CourseSetProgress(models.Model):
    """A learner's progress in one course set of their assignment: when it is due and done."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="course_set_progress"
    )
    course_set = models.ForeignKey(CourseSet, on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course_set__position", "course_set_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "course_set"], name="one_progress_per_course_set"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment}: {self.course_set}"


class CourseCompletion(models.Model):
    """A learner completed a course (recorded by programs' complete_course; each completion is
    a row, so a certification's new cycle can ask for completions after it started)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="course_completions"
    )
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-completed_at"]
        # Progress: a learner's completions of a program's courses.
        indexes = [models.Index(fields=["user", "course"], name="course_completion_user")]

    def __str__(self) -> str:
        return f"{self.user} completed {self.course}"


@dataclass(frozen=True)
class MessageDefault:
    enabled: bool
    offset_days: int | None
    notify_manager: bool = False
    subject: str = ""
    body: str = ""
    manager_text: str = ""


# The messages that may have several rows: the time-based ones (MessageSetting.WITH_OFFSET,
# spelt out for the table's constraint).
SEVERAL_ROWS = [
    "due",
    "overdue",
    "courseset_due",
    "courseset_overdue",
    "learner_followup",
    "recert_window_due_close",
]


class MessageSetting(models.Model):
    """One message of a program's Messages tab: on or off, its trigger offset, manager copy.

    A program without a row for a message uses the default in DEFAULTS. A time-based message
    (WITH_OFFSET: due, overdue, follow-up...) may have several rows, each with its own offset,
    texts and manager copy ("due" 14 days and 1 day before): each row goes once per occurrence
    (the send log keys on the row); the others have one row at most.
    """

    class Message(models.TextChoices):
        ENROLMENT = "enrolment", gettext_lazy("Enrolment")
        EXCEPTION_REPORT = "exception_report", gettext_lazy("Exception report (to site admins)")
        UNENROLMENT = "unenrolment", gettext_lazy("Unenrolment")
        DUE = "due", gettext_lazy("Due (days before the due date)")
        OVERDUE = "overdue", gettext_lazy("Overdue (days after the due date)")
        COMPLETED = "completed", gettext_lazy("Completed")
        COURSESET_DUE = "courseset_due", gettext_lazy("Course set due (days before)")
        COURSESET_OVERDUE = "courseset_overdue", gettext_lazy("Course set overdue (days after)")
        COURSESET_COMPLETED = "courseset_completed", gettext_lazy("Course set completed")
        LEARNER_FOLLOWUP = (
            "learner_followup",
            gettext_lazy("Learner follow-up (days after completion)"),
        )
        RECERT_WINDOW_OPEN = "recert_window_open", gettext_lazy("Re-certification window open")
        RECERT_WINDOW_DUE_CLOSE = (
            "recert_window_due_close",
            gettext_lazy("Re-certification window due to close (days before)"),
        )
        RECERT_FAILED = "recert_failed", gettext_lazy("Failure to re-certify")

    DEFAULTS = {
        Message.ENROLMENT: MessageDefault(True, None),
        Message.EXCEPTION_REPORT: MessageDefault(True, None),
        Message.UNENROLMENT: MessageDefault(True, None),
        Message.DUE: MessageDefault(True, 7),
        Message.OVERDUE: MessageDefault(True, 0),
        Message.COMPLETED: MessageDefault(True, None),
        Message.COURSESET_DUE: MessageDefault(True, 7),
        Message.COURSESET_OVERDUE: MessageDefault(True, 0),
        Message.COURSESET_COMPLETED: MessageDefault(True, None),
        Message.LEARNER_FOLLOWUP: MessageDefault(True, 30),
        Message.RECERT_WINDOW_OPEN: MessageDefault(True, None),
        Message.RECERT_WINDOW_DUE_CLOSE: MessageDefault(True, 7),
        Message.RECERT_FAILED: MessageDefault(True, None),
    }
    CERTIFICATION_ONLY = frozenset(
        {Message.RECERT_WINDOW_OPEN, Message.RECERT_WINDOW_DUE_CLOSE, Message.RECERT_FAILED}
    )
    WITH_OFFSET = frozenset(m for m, d in DEFAULTS.items() if d.offset_days is not None)
    # Sent to site admins, not to a learner: no manager copy.
    WITHOUT_MANAGER = frozenset({Message.EXCEPTION_REPORT})

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="message_settings")
    message = models.CharField(max_length=30, choices=Message.choices)
    enabled = models.BooleanField(
        default=True, help_text=gettext_lazy("Whether this message is sent.")
    )
    offset_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=gettext_lazy(
            "For due, overdue, follow-up and window-closing messages: how many days "
            "before (due, closing) or after (overdue, follow-up) the date it is sent. Changing it "
            "never sends a message again to a learner who already had it."
        ),
    )
    notify_manager = models.BooleanField(
        default=False, help_text=gettext_lazy("Also send a copy to the learner's managers.")
    )
    subject = models.CharField(
        max_length=300,
        blank=True,
        help_text=gettext_lazy(
            "This program's own subject, with the message's placeholders as "
            "{{ name }}; empty for the message type's subject (in each learner's language)."
        ),
    )
    body = models.TextField(
        blank=True,
        help_text=gettext_lazy(
            "This program's own text, with placeholders; empty for the message type's."
        ),
    )
    manager_text = models.TextField(
        blank=True,
        help_text=gettext_lazy(
            "Put before the message in the copy sent to managers, with placeholders "
            "(e.g. {{ learner }}); empty for the standard line saying why they receive it."
        ),
    )

    class Meta:
        ordering = ["program_id", "message"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "message"],
                condition=~models.Q(message__in=SEVERAL_ROWS),
                name="one_setting_per_message",
            )
        ]

    def __str__(self) -> str:
        offset = f" ({self.offset_days} days)" if self.offset_days is not None else ""
        return f"{self.program}: {self.get_message_display()}{offset}"

    @classmethod
    def messages_for(cls, kind: str) -> list[str]:
        """The messages of a program of this kind, in the Messages tab's order."""
        return [
            m
            for m in cls.Message.values
            if kind == Program.Kind.CERTIFICATION or m not in cls.CERTIFICATION_ONLY
        ]


assert set(SEVERAL_ROWS) == MessageSetting.WITH_OFFSET, "SEVERAL_ROWS must match WITH_OFFSET"


class SentMessage(models.Model):
    """The send log: each (message row, learner's assignment, occurrence) goes out once.

    The occurrence is what the message is about (`about_at`: the due date it announces, the
    completion it follows up, the expiry...) and, for course set messages, the course set. A
    moved due date makes a new occurrence; a changed offset does not, so nothing is resent.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="sent_messages"
    )
    message = models.CharField(max_length=30, choices=MessageSetting.Message.choices)
    setting_id = models.PositiveIntegerField(
        default=0,
        help_text=gettext_lazy(
            "The Messages tab row it was sent for (a message may have several); 0 for "
            "the default of a program with no row for the message."
        ),
    )
    course_set_id = models.PositiveIntegerField(
        default=0,
        help_text=gettext_lazy("The course set of a course set message; 0 for the program's."),
    )
    about_at = models.DateTimeField(help_text=gettext_lazy("The date the message was about."))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            # Also serves the scans' "not sent yet" (NOT EXISTS) lookups.
            models.UniqueConstraint(
                fields=["assignment", "message", "setting_id", "course_set_id", "about_at"],
                name="sent_once_per_occurrence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.message} about {self.about_at:%Y-%m-%d} to {self.assignment}"


class AssignmentException(models.Model):
    """An assignment that cannot go ahead as asked, waiting for a site admin on the exception
    report: a due date already past, or a learner assigned to the program twice."""

    class Kind(models.TextChoices):
        PAST_DUE = "past_due", gettext_lazy("Due date already past")
        DUPLICATE = "duplicate", gettext_lazy("Already assigned")

    class Resolution(models.TextChoices):
        ASSIGN = "assign", gettext_lazy("Assigned anyway")
        SET_DUE = "set_due", gettext_lazy("Assigned with a new due date")
        DISMISS = "dismiss", gettext_lazy("Dismissed")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="exceptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assignment = models.ForeignKey(
        Assignment,
        on_delete=models.CASCADE,
        related_name="exceptions",
        help_text=gettext_lazy(
            "Past due: the assignment waiting on this exception. Duplicate: the learner's "
            "existing assignment."
        ),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    requested_due_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("The due date the assignment asked for.")
    )
    source = models.CharField(max_length=15, choices=Source.choices)
    source_id = models.PositiveIntegerField(null=True, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=10, choices=Resolution.choices, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} in {self.program}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ExtensionRequest(models.Model):
    """A learner asks their manager to move their due date; the manager accepts or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        GRANTED = "granted", gettext_lazy("Granted")
        DECLINED = "declined", pgettext_lazy("extension request status", "Declined")
        CANCELLED = "cancelled", pgettext_lazy("extension request status", "Cancelled")

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="extension_requests"
    )
    current_due_at = models.DateTimeField(
        help_text=gettext_lazy("The due date when the learner asked.")
    )
    requested_due_at = models.DateTimeField(
        help_text=gettext_lazy("The due date the learner asks for.")
    )
    reason = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(
        blank=True, help_text=gettext_lazy("The manager's comment or reason.")
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(status="pending"),
                name="one_pending_extension_request",
            )
        ]

    def __str__(self) -> str:
        return f"Extension of {self.assignment} to {self.requested_due_at:%Y-%m-%d}"
