from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class JobAssignmentQuerySet(models.QuerySet):
    def with_current_temp_manager(self, now=None):
        now = now or timezone.now()
        return self.filter(temp_manager__isnull=False, temp_manager_expires_at__gt=now)

    def expired_temp_managers(self, now=None):
        now = now or timezone.now()
        return self.filter(temp_manager__isnull=False, temp_manager_expires_at__lte=now)


class JobAssignment(models.Model):
    """A user's position, as in Totara: whom they report to, and who stands in for that manager.

    A user may hold several job assignments, so may have several managers. A temporary manager
    acts as a manager until their expiry date.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="job_assignments"
    )
    title = models.CharField(max_length=200, blank=True)
    organisation = models.CharField(max_length=200, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_assignments",
        help_text=gettext_lazy("The person this user reports to in this job."),
    )
    temp_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="temp_managed_assignments",
        help_text=gettext_lazy("Stands in for the manager until the expiry date."),
    )
    temp_manager_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["user", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(temp_manager__isnull=True) | Q(temp_manager_expires_at__isnull=False),
                name="temp_manager_has_expiry",
            ),
            models.CheckConstraint(condition=~Q(manager=F("user")), name="not_own_manager"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.title or 'job'}"


def managers_of(user_ids, now=None) -> dict[int, set[int]]:
    """Who manages each of these users now: managers and unexpired temporary managers.

    One query for any number of users; users without a manager map to an empty set.
    """
    now = now or timezone.now()
    user_ids = list(user_ids)
    result: dict[int, set[int]] = {u: set() for u in user_ids}
    rows = JobAssignment.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "manager_id", "temp_manager_id", "temp_manager_expires_at"
    )
    for user_id, manager_id, temp_id, expires_at in rows:
        if manager_id:
            result[user_id].add(manager_id)
        if temp_id and expires_at and expires_at > now:
            result[user_id].add(temp_id)
    for user_id in user_ids:
        result[user_id].discard(user_id)
    return result


def team_of(manager_id: int, now=None) -> set[int]:
    """The users whom this person manages now, directly or as temporary manager."""
    now = now or timezone.now()
    direct = JobAssignment.objects.filter(manager_id=manager_id).values_list("user_id", flat=True)
    temp = JobAssignment.objects.with_current_temp_manager(now).filter(temp_manager_id=manager_id)
    return set(direct) | set(temp.values_list("user_id", flat=True))
