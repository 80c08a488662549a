from django.apps import AppConfig


class HrImportConfig(AppConfig):
    name = "features.hr_import"
    label = "hr_import"
    verbose_name = "HR Import"
