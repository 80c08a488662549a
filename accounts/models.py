import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)r is not a known time zone."), params={"value": value})


class User(AbstractUser):
    """A person on the learning platform: learner, manager, trainer or admin.

    Email and language matter to notifications: email is where messages go, language and
    timezone decide how each message is rendered for this person.
    """

    email = models.EmailField(_("email address"), blank=False)
    full_name = models.CharField(max_length=255, help_text=_("The name other people see."))
    language = models.CharField(
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Messages and pages are shown in this language."),
    )
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_timezone],
        help_text=_("Dates in messages and pages are shown in this time zone."),
    )

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        if not self.full_name:
            self.full_name = self.get_full_name() or self.username
        super().save(*args, **kwargs)
