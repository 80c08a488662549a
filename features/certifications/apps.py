from django.apps import AppConfig


class CertificationsConfig(AppConfig):
    name = "features.certifications"
    label = "certifications"
    verbose_name = "Certifications"

    def ready(self):
        from features.certifications import handlers  # noqa: F401  (registers the task actions)
