"""HR Import in the admin: its settings (who is told), the runs, and an upload form."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.hr_import.actions import import_users
from features.hr_import.models import HrImportRun, HrImportSettings
from features.hr_import.parsing import COLUMNS

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


@admin.register(HrImportSettings)
class HrImportSettingsAdmin(admin.ModelAdmin):
    fields = ["recipients", "notify_errors", "notify_warnings"]
    autocomplete_fields = ["recipients"]

    def has_add_permission(self, request):
        return not HrImportSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        # One settings object: the list goes straight to it.
        settings = HrImportSettings.load()
        return redirect(reverse("admin:hr_import_hrimportsettings_change", args=[settings.pk]))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=format_lazy(
            gettext_lazy("UTF-8, header on the first line. Columns: {columns}."),
            columns=", ".join(COLUMNS),
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 50 MB."))
        return upload


@admin.register(HrImportRun)
class HrImportRunAdmin(admin.ModelAdmin):
    """Runs are records: added by uploading a file, never edited."""

    list_display = [
        "started_at",
        "source",
        "status",
        "row_count",
        "created_count",
        "updated_count",
        "rejected_count",
        "error_count",
        "warning_count",
        "started_by",
    ]
    list_filter = ["status"]
    list_select_related = ["started_by"]
    search_fields = ["source"]
    date_hierarchy = "started_at"
    fields = [
        "source",
        "status",
        "started_by",
        "started_at",
        "finished_at",
        ("row_count", "created_count", "updated_count", "unchanged_count", "rejected_count"),
        ("error_count", "warning_count"),
        "report",
    ]
    readonly_fields = [
        "source",
        "status",
        "started_by",
        "started_at",
        "finished_at",
        "row_count",
        "created_count",
        "updated_count",
        "unchanged_count",
        "rejected_count",
        "error_count",
        "warning_count",
        "report",
    ]

    @admin.display(description=gettext_lazy("Report"))
    def report(self, obj):
        if not obj.report:
            return _("No errors or warnings.")
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', obj.report)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """The "add" button uploads a file and runs the import."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        posted = request.method == "POST"
        form = UploadForm(request.POST if posted else None, request.FILES if posted else None)
        if posted and form.is_valid():
            upload = form.cleaned_data["file"]
            run = import_users(upload.read(), source=upload.name, actor=request.user)
            level = (
                messages.SUCCESS if run.status == HrImportRun.Status.SUCCESS else messages.WARNING
            )
            self.message_user(
                request,
                _(
                    "%(status)s: %(created_count)s created, %(updated_count)s updated, "
                    "%(rejected_count)s rows rejected, %(warning_count)s warnings."
                )
                % {
                    "status": run.get_status_display(),
                    "created_count": run.created_count,
                    "updated_count": run.updated_count,
                    "rejected_count": run.rejected_count,
                    "warning_count": run.warning_count,
                },
                level,
            )
            return redirect(reverse("admin:hr_import_hrimportrun_change", args=[run.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import users from a CSV file"),
            "form": form,
            "has_view_permission": self.has_view_permission(request),
        }
        return render(request, "admin/hr_import/upload.html", context)
