from django.contrib import admin

from features.certifications.models import Certification, LearnerCertification


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    """A certification's cycle; its courses, learners and messages are on its program."""

    list_display = ["program", "active_days", "window_days"]
    list_select_related = ["program"]
    search_fields = ["program__name"]
    autocomplete_fields = ["program"]


@admin.register(LearnerCertification)
class LearnerCertificationAdmin(admin.ModelAdmin):
    list_display = ["assignment", "status", "certified_at", "window_opens_at", "expires_at"]
    list_filter = ["status"]
    list_select_related = ["assignment__user", "assignment__program"]
    search_fields = ["assignment__user__username", "assignment__user__full_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
