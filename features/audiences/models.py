from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Audience(models.Model):
    """A group of users: chosen one by one (set) or by rules on their fields (dynamic).

    A dynamic audience's members are recomputed by a periodic job (and when an admin saves it).
    """

    class Type(models.TextChoices):
        SET = "set", gettext_lazy("Set (members chosen one by one)")
        DYNAMIC = "dynamic", gettext_lazy("Dynamic (members found by rules)")

    class Match(models.TextChoices):
        ALL = "all", gettext_lazy("Users who match all the rules")
        ANY = "any", gettext_lazy("Users who match any rule")

    name = models.CharField(max_length=255, unique=True)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.SET)
    match = models.CharField(
        max_length=3,
        choices=Match.choices,
        default=Match.ALL,
        help_text=gettext_lazy("Dynamic audiences: how the rules combine."),
    )
    notify_added = models.BooleanField(
        default=False, help_text=gettext_lazy("Tell users when they are added to this audience.")
    )
    notify_removed = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Tell users when they are removed from this audience."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    recomputed_at = models.DateTimeField(
        null=True, blank=True, help_text=gettext_lazy("When the rules were last applied.")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_dynamic(self) -> bool:
        return self.type == self.Type.DYNAMIC


class AudienceMember(models.Model):
    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="audience_memberships"
    )
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["audience", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audience", "user"], name="one_audience_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.audience}"


class AudienceRule(models.Model):
    """One rule of a dynamic audience: a condition on a user's fields or relations."""

    class Field(models.TextChoices):
        LANGUAGE = "language", gettext_lazy("Language is")
        TIMEZONE = "timezone", gettext_lazy("Time zone is")
        EMAIL_DOMAIN = "email_domain", gettext_lazy("Email domain is")
        USERNAME_PREFIX = "username_prefix", gettext_lazy("Username starts with")
        MANAGER = "manager", gettext_lazy("Manager is")
        MEMBER_OF = "member_of", gettext_lazy("Member of the audience")

    TEXT_FIELDS = (Field.LANGUAGE, Field.TIMEZONE, Field.EMAIL_DOMAIN, Field.USERNAME_PREFIX)

    audience = models.ForeignKey(Audience, on_delete=models.CASCADE, related_name="rules")
    field = models.CharField(max_length=30, choices=Field.choices)
    value = models.CharField(
        max_length=255,
        blank=True,
        help_text=gettext_lazy("For language, time zone, email domain and username prefix rules."),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("For manager rules: users whose job assignment names this manager."),
    )
    other_audience = models.ForeignKey(
        Audience,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("For member-of rules: users who are members of this audience."),
    )
    target_name = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        help_text=gettext_lazy(
            "The manager's or audience's name when the rule was saved, to describe the rule "
            "once they are deleted."
        ),
    )
    broken_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("When the rule was found to refer to something deleted."),
    )

    class Meta:
        ordering = ["audience", "id"]

    def __str__(self) -> str:
        return self.describe()

    def save(self, *args, **kwargs):
        if self.field == self.Field.MANAGER and self.manager is not None:
            self.target_name = self.manager.display_name
        elif self.field == self.Field.MEMBER_OF and self.other_audience is not None:
            self.target_name = self.other_audience.name
        super().save(*args, **kwargs)

    def describe(self) -> str:
        """The rule as its rule set shows it, e.g. "Manager is Mia Manager"."""
        if self.field not in self.Field.values:
            return f"{self.field} is {self.value!r}"
        label = self.Field(self.field).label
        if self.field == self.Field.MANAGER:
            target = self.manager.display_name if self.manager else f"{self.target_name} (deleted)"
            return f"{label} {target}"
        if self.field == self.Field.MEMBER_OF:
            target = (
                self.other_audience.name if self.other_audience else f"{self.target_name} (deleted)"
            )
            return f"{label} {target}"
        return f"{label} {self.value!r}"

    def problem(self) -> str:
        """Why the rule cannot be applied ("" if it can)."""
        if self.field not in self.Field.values:
            return f"the user field {self.field!r} no longer exists"
        if self.field == self.Field.MANAGER and self.manager_id is None:
            return "the manager it names has been deleted"
        if self.field == self.Field.MEMBER_OF and self.other_audience_id is None:
            return "the audience it names has been deleted"
        if self.field in self.TEXT_FIELDS and not self.value:
            return "it has no value"
        return ""

    def condition(self) -> Q:
        """The users this rule matches, as a condition on User (the rule must not be broken)."""
        from features.job_assignments.models import JobAssignment

        Field = self.Field
        if self.field == Field.LANGUAGE:
            return Q(language=self.value)
        if self.field == Field.TIMEZONE:
            return Q(timezone=self.value)
        if self.field == Field.EMAIL_DOMAIN:
            return Q(email__iendswith="@" + self.value.lstrip("@"))
        if self.field == Field.USERNAME_PREFIX:
            return Q(username__istartswith=self.value)
        if self.field == Field.MANAGER:
            return Q(
                pk__in=JobAssignment.objects.filter(manager_id=self.manager_id).values("user_id")
            )
        if self.field == Field.MEMBER_OF:
            return Q(
                pk__in=AudienceMember.objects.filter(audience_id=self.other_audience_id).values(
                    "user_id"
                )
            )
        raise ValueError(f"cannot apply a broken rule: {self.problem()}")


def members_of(audience) -> set[int]:
    """The ids of the users in `audience` (an Audience or its id) now. One query."""
    audience_id = audience.pk if isinstance(audience, Audience) else int(audience)
    return set(
        AudienceMember.objects.filter(audience_id=audience_id).values_list("user_id", flat=True)
    )
