from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def vapid_keys_set(app_configs, **kwargs):
    """Production without VAPID keys runs, but sends no push: say so at start-up. A key that
    is not one (or a public key that does not match it) is an error."""
    if settings.VAPID_PRIVATE_KEY:
        from django.core.exceptions import ImproperlyConfigured

        from webpush import keys

        try:
            keys.vapid()
        except ImproperlyConfigured as error:
            return [checks.Error(str(error), id="webpush.E001")]
        return []
    if settings.DEBUG:
        return []
    return [
        checks.Warning(
            "VAPID_PRIVATE_KEY is not set: push notifications are unavailable.",
            hint="Run `python manage.py vapid_keys` and set VAPID_PRIVATE_KEY, "
            "VAPID_PUBLIC_KEY and VAPID_SUBJECT.",
            id="webpush.W001",
        )
    ]
