from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class CertificationsConfig(AppConfig):
    name = "features.certifications"
    label = "certifications"
    verbose_name = gettext_lazy("Certifications")

    def ready(self):
        from features.certifications import handlers  # noqa: F401  (registers the task actions)
