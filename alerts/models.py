from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.catalogue import Urgency
from notifications.models import Event


class AlertQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def alerts(self):
        return self.filter(kind=Alert.Kind.ALERT)

    def tasks(self):
        return self.filter(kind=Alert.Kind.TASK)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def visible(self):
        """In the lists, blocks and counts: neither snoozed nor archived."""
        return self.filter(snoozed_until__isnull=True, archived_at__isnull=True)

    def snoozed(self):
        return self.filter(snoozed_until__isnull=False, archived_at__isnull=True)

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def open(self):
        return self.filter(done_at__isnull=True)

    def newest_first(self):
        return self.order_by("-created_at", "-id")


class Alert(models.Model):
    """One recipient's copy of one event in the web inbox: an alert, or a task to act on.

    The content (key, context, sender, link) stays on the event; this row holds only the
    recipient's state, so a fan-out to many people writes narrow rows. A task is closed for
    everyone who received it when one of them acts on it.
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alert")
        TASK = "task", _("Task")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="inbox_items")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_items"
    )
    kind = models.CharField(max_length=5, choices=Kind.choices)
    key = models.CharField(max_length=100)
    feature = models.CharField(max_length=50)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    action = models.CharField(max_length=30, blank=True, help_text=_("What was done to the task."))
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField(blank=True)
    why = models.CharField(
        max_length=20, blank=True, help_text=_("Why the web output was chosen (at send time).")
    )
    snoozed_until = models.DateTimeField(
        null=True, blank=True, help_text=_("Out of the lists until then; it comes back unread.")
    )
    archived_at = models.DateTimeField(
        null=True, blank=True, help_text=_("Out of the lists and counts, kept in Archived.")
    )

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Lists: a user's alerts or tasks, newest first.
            models.Index(fields=["recipient", "kind", "-created_at"], name="inbox_list"),
            # The unread alerts counter and the Alerts block.
            models.Index(
                fields=["recipient", "-created_at"],
                name="inbox_unread_alerts",
                condition=Q(
                    read_at__isnull=True,
                    kind="alert",
                    snoozed_until__isnull=True,
                    archived_at__isnull=True,
                ),
            ),
            # The open tasks counter and the Tasks block.
            models.Index(
                fields=["recipient", "-created_at"],
                name="inbox_open_tasks",
                condition=Q(
                    done_at__isnull=True,
                    kind="task",
                    snoozed_until__isnull=True,
                    archived_at__isnull=True,
                ),
            ),
            # The purge: read rows by when they were read.
            models.Index(fields=["read_at"], name="inbox_read", condition=Q(read_at__isnull=False)),
            # The job that brings snoozed rows back when their time comes.
            models.Index(
                fields=["snoozed_until"],
                name="inbox_snoozed",
                condition=Q(snoozed_until__isnull=False),
            ),
            # The purge of archived rows, by when they were archived.
            models.Index(
                fields=["archived_at"],
                name="inbox_archived",
                condition=Q(archived_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} for {self.recipient_id}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
