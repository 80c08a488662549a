"""Site administration: backup runs, the event log and the event monitoring rules."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy


class BackupRun(models.Model):
    """One run of `manage.py backup`: where the dump went, how big it is, how it ended."""

    class Status(models.TextChoices):
        # In context: the project's catalogue has its own "Failed" (an email's), and wins.
        RUNNING = "running", pgettext_lazy("backup run", "Running")
        SUCCEEDED = "succeeded", pgettext_lazy("backup run", "Succeeded")
        FAILED = "failed", pgettext_lazy("backup run", "Failed")

    path = models.CharField(
        max_length=1000, help_text=gettext_lazy("The file the database was dumped to.")
    )
    database = models.CharField(
        max_length=20, help_text=gettext_lazy("The database engine (sqlite, postgresql).")
    )
    size_bytes = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True, help_text=gettext_lazy("Why the run failed."))
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Backup {self.started_at:%Y-%m-%d %H:%M} ({self.get_status_display()})"


class Event(models.Model):
    """Something that happened on the site, logged by `record_event()` for monitoring rules."""

    name = models.CharField(
        max_length=100, help_text=gettext_lazy("The event's type, e.g. auth.login_failed.")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("Who it concerns, if anyone."),
    )
    data = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        # check_rules: "how many events of this name since a time".
        indexes = [models.Index(fields=["name", "created_at"], name="site_event_name_time")]

    def __str__(self) -> str:
        return f"{self.name} at {self.created_at:%Y-%m-%d %H:%M:%S}"


class Rule(models.Model):
    """An event monitoring rule: "N events of type X within M minutes" tells its subscribers,
    at most once per M minutes."""

    name = models.CharField(max_length=255, help_text=gettext_lazy("Shown in the notification."))
    event_name = models.CharField(
        max_length=100,
        help_text=gettext_lazy("The type of event to count, e.g. auth.login_failed."),
    )
    threshold = models.PositiveIntegerField(
        default=1, help_text=gettext_lazy("How many events trigger the rule (N).")
    )
    window_minutes = models.PositiveIntegerField(
        default=60, help_text=gettext_lazy("Within how many minutes the events must happen (M).")
    )
    description = models.TextField(
        blank=True,
        help_text=gettext_lazy("Added to the notification: what to do when the rule triggers."),
    )
    subscribers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="RuleSubscription",
        related_name="monitoring_rules",
        blank=True,
    )
    active = models.BooleanField(default=True)
    last_triggered_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When the rule last told its subscribers.")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RuleSubscription(models.Model):
    """A user told when a rule triggers."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="rule_subscriptions",
        limit_choices_to={"is_staff": True},
        help_text=gettext_lazy("Staff only: the notice links the rule in the admin."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "user"], name="one_subscription_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.rule}"
