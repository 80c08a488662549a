from django.apps import AppConfig


class SiteAdminConfig(AppConfig):
    name = "features.site_admin"
    label = "site_admin"
    verbose_name = "Site administration"
