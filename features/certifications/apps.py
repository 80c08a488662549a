from django.apps import AppConfig


class CertificationsConfig(AppConfig):
    name = "features.certifications"
    label = "certifications"
    verbose_name = "Certifications"
