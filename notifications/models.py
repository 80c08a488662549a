from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.catalogue import OUTPUTS, Kind, Permission, Urgency


class MessageType(models.Model):
    """The database mirror of one catalogue entry, so admins can set its outputs.

    Rows are created and updated from code after each migrate; a key that leaves the catalogue is
    marked obsolete and kept with its history.
    """

    key = models.CharField(max_length=100, unique=True)
    feature = models.CharField(max_length=50, help_text=_("The app that declares it."))
    feature_name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200, help_text=_("The name admins and users see."))
    description = models.TextField(blank=True)
    recipients = models.TextField(blank=True, help_text=_("Who receives it by default."))
    obsolete = models.BooleanField(
        default=False, help_text=_("No longer declared in the code; kept for its history.")
    )

    class Meta:
        ordering = ["feature_name", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"


class OutputSetting(models.Model):
    """Which use of one output one message type allows, and its default for users."""

    message_type = models.ForeignKey(
        MessageType, on_delete=models.CASCADE, related_name="output_settings"
    )
    output = models.CharField(max_length=20, choices=[(o, o) for o in OUTPUTS])
    permission = models.CharField(
        max_length=12,
        choices=Permission.choices,
        help_text=_("Forced ignores users' choices; disallowed never uses this output."),
    )
    logged_in = models.BooleanField(help_text=_("Default for users who are logged in."))
    logged_off = models.BooleanField(help_text=_("Default for users who are logged off."))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message_type", "output"], name="one_setting_per_output"
            )
        ]
        ordering = ["message_type", "output"]

    def __str__(self) -> str:
        return f"{self.message_type.key} / {self.output}: {self.permission}"


class SiteOutput(models.Model):
    """A site-wide switch per output: off means nothing goes to it, whatever else says."""

    output = models.CharField(max_length=20, primary_key=True, choices=[(o, o) for o in OUTPUTS])
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("site output")

    def __str__(self) -> str:
        return f"{self.output}: {'on' if self.enabled else 'off'}"


class Cadence(models.TextChoices):
    """How often a user's email of one feature goes out (notifications.preferences)."""

    IMMEDIATELY = "immediately", pgettext_lazy("email frequency", "Immediately")
    DAILY = "daily", pgettext_lazy("email frequency", "Daily digest")
    WEEKLY = "weekly", pgettext_lazy("email frequency", "Weekly digest")
    NEVER = "never", pgettext_lazy("email frequency", "Never")


class SiteMessaging(models.Model):
    """The site's messaging settings: one row (SiteMessaging.load()), edited in the admin."""

    inbound_processed_to_admins = models.BooleanField(
        _("tell site admins about each processed email reply"),
        default=False,
        help_text=_("The sender is always told. Failed replies always go to site admins."),
    )
    email_cadence = models.CharField(
        "default email frequency",
        max_length=12,
        choices=[c for c in Cadence.choices if c[0] != Cadence.NEVER],
        default=Cadence.IMMEDIATELY,
        help_text="For users who have not chosen one. A digest goes at 07:00 in each user's "
        "time zone (weekly: on Mondays). Tasks, urgent messages, calendar invitations and "
        "types whose email is forced are always sent at once.",
    )

    class Meta:
        verbose_name = verbose_name_plural = _("site messaging settings")

    def __str__(self) -> str:
        return "Site messaging settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> SiteMessaging:
        """The settings (their defaults until an admin saves them). One query."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class Preference(models.Model):
    """One user's choice for one message type and output, stored only where it differs from
    the type's default (sparse), so changing a default reaches everyone who never chose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="message_preferences"
    )
    message_type = models.ForeignKey(MessageType, on_delete=models.CASCADE, related_name="+")
    output = models.CharField(max_length=20, choices=[(o, o) for o in OUTPUTS])
    logged_in = models.BooleanField()
    logged_off = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "message_type", "output"], name="one_preference_per_output"
            )
        ]
        # The preference resolver reads (message type, many users) at once.
        indexes = [models.Index(fields=["message_type", "user"], name="preference_type_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.message_type_id} {self.output}"


class UserMessaging(models.Model):
    """Per-user switches that are not per message type."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messaging"
    )
    email_off = models.BooleanField(
        default=False, help_text=_("No email at all (forced types are still emailed).")
    )
    # Quiet hours (notifications.quiet_hours): email and push wait until they end, in the
    # user's zone.
    quiet_hours_enabled = models.BooleanField(
        default=False,
        help_text=_("Hold email and push notifications (not urgent messages) during quiet hours."),
    )
    quiet_hours_start = models.TimeField(
        default=datetime.time(22, 0), help_text=_("Quiet from this time, in the user's zone.")
    )
    quiet_hours_end = models.TimeField(
        default=datetime.time(7, 0),
        help_text=_("Quiet until this time; before the start means the next morning."),
    )
    quiet_hours_weekends = models.BooleanField(
        default=False, help_text=_("Saturday and Sunday are quiet all day.")
    )

    def __str__(self) -> str:
        return f"{self.user_id}: email {'off' if self.email_off else 'on'}"


class EmailCadence(models.Model):
    """One user's email frequency for one feature (`feature` is a catalogue Feature's label),
    or for every feature they did not set (`feature` empty). Stored only where they chose."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_cadences"
    )
    feature = models.CharField(
        max_length=50, blank=True, help_text="A feature's label; empty: all features."
    )
    cadence = models.CharField(max_length=12, choices=Cadence.choices)

    class Meta:
        constraints = [
            # Also the index of the resolver's read: (these users, this feature or "").
            models.UniqueConstraint(fields=["user", "feature"], name="one_cadence_per_feature")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.feature or '*'}: {self.cadence}"


class Digest(models.Model):
    """One digest email to one user: the messages that waited for it (EmailDelivery rows whose
    `digest` is this one), rendered when it was made, and sent by its own outbox row
    (`delivery`) like any email. One per (user, cadence, period): the job may run twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    cadence = models.CharField(max_length=12, choices=Cadence.choices)
    period = models.DateField(
        help_text="The local date of the 07:00 the digest is for (weekly: that Monday); for "
        "a user who went back to 'immediately', the day what waited was sent."
    )
    delivery = models.OneToOneField(
        "EmailDelivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digest_sent",
        help_text="The outbox row that sends it.",
    )
    item_count = models.PositiveIntegerField(default=0)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField()
    language = models.CharField(max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cadence", "period"],
                condition=~models.Q(cadence="immediately"),
                name="one_digest_per_period",
            )
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.cadence} {self.period}"


class EmailSuppression(models.Model):
    """An address that bounced or complained: no email goes to it until the user changes it."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Marked as spam")
        REJECTED = "rejected", _("Rejected by the provider")

    address = models.EmailField(unique=True)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"


class Event(models.Model):
    """One call of send(): what happened, once, whatever the number of recipients.

    Per-recipient state lives with each output (inbox rows, email deliveries). The context is
    JSON; templates are rendered per recipient, in their language, when shown or sent.
    """

    message_type = models.ForeignKey(MessageType, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=100)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    context = models.JSONField(default=dict, blank=True)
    data = models.JSONField(
        default=dict, blank=True, help_text=_("For task handlers, not templates.")
    )
    templates = models.JSONField(
        default=dict,
        blank=True,
        help_text=_(
            "This event's own subject, body or prefix (e.g. a program's text), used "
            "instead of the type's templates."
        ),
    )
    url = models.CharField(max_length=500, blank=True)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    dedupe_key = models.CharField(max_length=200, blank=True)
    audience = models.CharField(
        max_length=20,
        blank=True,
        help_text=_(
            "Who the recipients are to what happened, when not the people it is about: "
            "`manager` for a manager's copy."
        ),
    )
    about = models.JSONField(
        default=list,
        blank=True,
        help_text='What the event comes from, that a recipient may mute: [{"key": '
        '"courses.course:3", "label": "Workplace safety"}, ...] (notifications.muting).',
    )
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key} #{self.pk}"


class SentKey(models.Model):
    """Which recipients already got an event with this dedupe key: a repeat is a no-op for them."""

    message_type = models.ForeignKey(MessageType, on_delete=models.CASCADE, related_name="+")
    dedupe_key = models.CharField(max_length=200)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message_type", "dedupe_key", "user"], name="sent_once_per_dedupe_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.dedupe_key} -> {self.user_id}"


class Undelivered(models.Model):
    """A recipient whom no output reached, with the reason, so the log can say why."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="undelivered")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = _("undelivered")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.reason}"


class MessageTemplate(models.Model):
    """An admin's override of a type's subject and bodies in one language."""

    message_type = models.ForeignKey(
        MessageType, on_delete=models.CASCADE, related_name="templates"
    )
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=300)
    body = models.TextField(help_text=_("Plain text. Placeholders as {{ name }}."))
    html = models.TextField(
        blank=True, help_text=_("Optional HTML; made from the text when empty.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message_type", "language"], name="one_template_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.message_type.key} [{self.language}]"

    def clean(self):
        """Refuses a template that cannot be rendered, naming the field and the problem."""
        from notifications import catalogue

        try:
            message_type = catalogue.get(self.message_type.key)
        except (catalogue.UnknownMessageType, MessageType.DoesNotExist):
            return
        errors = {}
        for name in ("subject", "body", "html"):
            try:
                message_type.check_template(getattr(self, name) or "")
            except catalogue.TemplateProblem as problem:
                errors[name] = str(problem)
        if errors:
            raise ValidationError(errors)


class EmailDelivery(models.Model):
    """One email to one recipient: the outbox row, written in the sender's transaction.

    pending -> claimed (by a worker) -> sending (attempt recorded before it is made) -> sent;
    a temporary failure goes back to pending with a later next_attempt_at; a permanent one, or
    too many attempts, ends in failed. A row left in `sending` by a dead worker is never sent
    again automatically (it may have gone out): it becomes `unknown` for an admin to resend.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        CLAIMED = "claimed", _("Claimed by a worker")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")
        UNKNOWN = "unknown", _("Interrupted (unknown)")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        DIGEST = "digest", _("Waiting for a digest")
        DIGESTED = "digested", _("Sent in a digest")
        SKIPPED = "skipped", _("Not sent: email turned off before the digest")

    event = models.ForeignKey(
        Event,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
        help_text="The message; empty for a digest email (its Digest says what it carries).",
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to_address = models.EmailField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(
        max_length=32, blank=True, help_text=_("The claim of the worker that took the row.")
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    esp_message_id = models.CharField(max_length=200, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True, help_text=_("As sent."))
    why = models.CharField(
        max_length=20, blank=True, help_text=_("Why email was chosen (notifications.preferences).")
    )
    held_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_(
            "Held for the recipient's quiet hours until then (next_attempt_at says when "
            "it may go); empty: sent as soon as written."
        ),
    )
    digest = models.ForeignKey(
        Digest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        help_text="The digest that carried this message.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("email delivery")
        verbose_name_plural = _("delivery log")
        ordering = ["-created_at"]
        indexes = [
            # The sweeper and the claim: rows waiting to go out, oldest first.
            models.Index(
                fields=["next_attempt_at"],
                name="email_pending_due",
                condition=models.Q(status__in=["pending", "claimed", "sending"]),
            ),
            # The digest job: each user's messages waiting for a digest.
            models.Index(
                fields=["user", "created_at"],
                name="email_waiting_digest",
                condition=models.Q(status="digest"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.to_address}: {self.status}"


class HeldReply(models.Model):
    """A reply by email from an address that is not the user's: kept until they confirm it."""

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed and processed")
        EXPIRED = "expired", _("Not confirmed in time")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=30)
    target_id = models.PositiveBigIntegerField()
    from_address = models.EmailField()
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    received_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = _("held replies")

    def __str__(self) -> str:
        return f"{self.from_address} -> {self.kind} #{self.target_id} ({self.status})"


class Mute(models.Model):
    """A user muted a course, a discussion, a program or a conversation (notifications.muting):
    nothing from it reaches them by email or push; its alerts stay in the inbox unless
    `hide_web`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=120, help_text='"app.model:id" of what is muted.')
    label = models.CharField(max_length=300, help_text="Its name when it was muted.")
    hide_web = models.BooleanField(
        default=False, help_text="Also keep its alerts out of the inbox (tasks still come)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["label", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "subject"], name="one_mute_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} muted {self.subject}"
