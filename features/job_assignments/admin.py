from django import forms
from django.contrib import admin

from features.job_assignments.actions import (
    JobAssignmentError,
    announce_temp_manager,
    check_temp_manager,
)
from features.job_assignments.models import JobAssignment


class JobAssignmentForm(forms.ModelForm):
    class Meta:
        model = JobAssignment
        fields = [
            "user",
            "title",
            "organisation",
            "manager",
            "temp_manager",
            "temp_manager_expires_at",
        ]

    def clean(self):
        data = super().clean()
        user = data.get("user")
        if user and {"temp_manager", "temp_manager_expires_at"} & set(self.changed_data):
            try:
                check_temp_manager(
                    user.pk, data.get("temp_manager"), data.get("temp_manager_expires_at")
                )
            except JobAssignmentError as error:
                raise forms.ValidationError(str(error)) from None
        return data


@admin.register(JobAssignment)
class JobAssignmentAdmin(admin.ModelAdmin):
    form = JobAssignmentForm
    list_display = [
        "user",
        "title",
        "organisation",
        "manager",
        "temp_manager",
        "temp_manager_expires_at",
    ]
    list_select_related = ["user", "manager", "temp_manager"]
    search_fields = ["user__username", "user__full_name", "title", "organisation"]
    autocomplete_fields = ["user", "manager", "temp_manager"]
    list_filter = ["organisation"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.temp_manager and {"temp_manager", "temp_manager_expires_at"} & set(
            form.changed_data
        ):
            announce_temp_manager(obj, actor=request.user)
