"""Changes to a user's own profile settings: language and time zone.

The preferences page and the JSON API call the same function, so both validate alike.
"""

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils.translation import gettext as _

FIELDS = ("language", "timezone")


class ProfileErrors(Exception):
    """The changes were refused; `errors` maps each wrong field to why. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid profile settings")
        self.errors = errors


@cache
def time_zones() -> list[str]:
    """Every time zone a user may choose, sorted (IANA names, as zoneinfo knows them)."""
    return sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


def language_and_timezone_of(user) -> dict:
    return {"language": user.language, "timezone": user.timezone}


def set_language_and_timezone(user, changes) -> dict:
    """Saves the given fields of `changes` ("language": one of settings.LANGUAGES, "timezone":
    an IANA name), all or none, and returns the settings as they now are. Raises ProfileErrors
    naming each wrong field; the caller has checked the user is the one changing their own."""
    if not isinstance(changes, dict):
        raise ProfileErrors({"non_field_errors": _("Send an object with language or timezone.")})
    errors = {}
    for name in changes:
        if name not in FIELDS:
            errors[name] = _("Not a profile setting: use %s.") % ", ".join(FIELDS)
    language = changes.get("language", user.language)
    codes = [code for code, _name in settings.LANGUAGES]
    if language not in codes:
        errors["language"] = _("Choose one of: %s.") % ", ".join(codes)
    zone = changes.get("timezone", user.timezone)
    if not isinstance(zone, str) or zone not in time_zones():
        errors["timezone"] = _("Not a known time zone: use a name such as Europe/Paris.")
    if errors:
        raise ProfileErrors(errors)
    if (language, zone) != (user.language, user.timezone):
        user.language, user.timezone = language, zone
        user.save(update_fields=["language", "timezone"])
    return language_and_timezone_of(user)
