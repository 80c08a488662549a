import zoneinfo

from django.utils import timezone, translation

from notifications import presence


def activate_for(user) -> None:
    """Makes the user's language and timezone the current ones (a bad timezone: the site's)."""
    translation.activate(user.language)
    try:
        timezone.activate(zoneinfo.ZoneInfo(user.timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        timezone.deactivate()


class UserPreferencesMiddleware:
    """Shows pages in the user's language and timezone, and records that the user is active.

    Activity feeds the "logged in / logged off" rule of messaging preferences.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            activate_for(user)
            request.LANGUAGE_CODE = user.language
            presence.touch(user.pk)
        response = self.get_response(request)
        timezone.deactivate()
        return response
