from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext_lazy


def _record_failed_login(sender, credentials, request=None, **kwargs):
    """Failed logins feed the event-monitoring rules ("N failed logins within M minutes")."""
    from features.site_admin.actions import record_event

    username = str((credentials or {}).get("username", ""))[:150]
    address = request.META.get("REMOTE_ADDR", "") if request is not None else ""
    record_event("auth.login_failed", username=username, address=address)


class SiteAdminConfig(AppConfig):
    name = "features.site_admin"
    label = "site_admin"
    verbose_name = gettext_lazy("Site administration")

    def ready(self):
        user_login_failed.connect(_record_failed_login, dispatch_uid="site_admin.login_failed")
