from django.contrib import admin

from features.assignments.models import Assignment, Submission, SubmissionFile
from totara_messaging.admin_inlines import LabelledTabularInline


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "due_at", "max_files", "max_file_mb"]
    list_select_related = ["course"]
    search_fields = ["name", "course__full_name"]
    autocomplete_fields = ["course"]


class SubmissionFileInline(LabelledTabularInline):
    model = SubmissionFile
    extra = 0
    readonly_fields = ["file", "name", "size"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Read-only: learners submit and trainers grade on the site, which tells the people."""

    list_display = ["assignment", "learner", "status", "submitted_at", "grade", "graded_by"]
    list_filter = ["status"]
    list_select_related = ["assignment", "learner", "graded_by"]
    search_fields = ["assignment__name", "learner__username", "learner__full_name"]
    readonly_fields = [
        "assignment",
        "learner",
        "text",
        "status",
        "submitted_at",
        "grade",
        "feedback",
        "graded_by",
        "graded_at",
    ]
    inlines = [SubmissionFileInline]

    def has_add_permission(self, request):
        return False
