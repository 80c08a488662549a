from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class HrImportSettings(models.Model):
    """The site's one set of HR Import settings: who hears how each run went.

    A singleton (always pk 1): use HrImportSettings.load().
    """

    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        limit_choices_to={"is_staff": True},
        help_text=gettext_lazy(
            "Who receives the errors and warnings alerts (staff: the alerts link the run "
            "in the admin). Empty: every site administrator."
        ),
    )
    notify_errors = models.BooleanField(
        default=True, help_text=gettext_lazy("Send the errors alert when a run logs errors.")
    )
    notify_warnings = models.BooleanField(
        default=True, help_text=gettext_lazy("Send the warnings alert when a run logs warnings.")
    )

    class Meta:
        verbose_name = gettext_lazy("HR Import settings")
        verbose_name_plural = gettext_lazy("HR Import settings")

    def __str__(self) -> str:
        return "HR Import settings"

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "HrImportSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def recipients_queryset(self):
        """The active configured recipients, or every active site admin if none is set."""
        User = get_user_model()
        # Only people who can open the run's page in the admin, which the notice links.
        chosen = User.objects.with_perm("hr_import.view_hrimportrun").filter(
            pk__in=self.recipients.values("pk"), is_staff=True
        )
        if chosen.exists():
            return chosen
        return User.objects.filter(is_superuser=True, is_active=True)


class HrImportRun(models.Model):
    """One import of a CSV file: what it changed and what it reported, line by line."""

    class Status(models.TextChoices):
        SUCCESS = "success", gettext_lazy("Success")
        WARNINGS = "warnings", gettext_lazy("Finished with warnings")
        ERRORS = "errors", gettext_lazy("Finished with errors")
        FAILED = "failed", gettext_lazy("Failed (nothing imported)")

    source = models.CharField(max_length=255, help_text=gettext_lazy("The file that was imported."))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("Who started the run (empty: the command line)."),
    )
    status = models.CharField(max_length=10, choices=Status.choices)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    row_count = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Data rows read."))
    created_count = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Users created."))
    updated_count = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Users changed."))
    unchanged_count = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Users already up to date.")
    )
    rejected_count = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Rows not imported because of an error.")
    )
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    issues = models.JSONField(
        default=list,
        blank=True,
        help_text=gettext_lazy("Each error or warning: line, field, level and message."),
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = gettext_lazy("HR Import run")

    def __str__(self) -> str:
        return f"{self.source} at {timezone.localtime(self.started_at):%d %b %Y %H:%M}"

    @property
    def report(self) -> str:
        """The issues as text, one a line: "line 3, email: error: ... "."""
        return "\n".join(
            f"line {i['line']}"
            + (f", {i['field']}" if i.get("field") else "")
            + f": {i['level']}: {i['message']}"
            for i in self.issues
        )
