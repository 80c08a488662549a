from django.apps import AppConfig
from django.utils.translation import gettext_lazy


class HrImportConfig(AppConfig):
    name = "features.hr_import"
    label = "hr_import"
    verbose_name = gettext_lazy("HR Import")
