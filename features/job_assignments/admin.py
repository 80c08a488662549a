from django.contrib import admin

from features.job_assignments.models import JobAssignment


@admin.register(JobAssignment)
class JobAssignmentAdmin(admin.ModelAdmin):
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
