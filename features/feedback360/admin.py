from django.contrib import admin

from features.feedback360.models import FeedbackRequest, Responder
from totara_messaging.admin_inlines import LabelledTabularInline


class ResponderInline(LabelledTabularInline):
    """Read only: responders change through the request's page, which tells them."""

    model = Responder
    extra = 0
    can_delete = False
    fields = ["user", "email", "answered_at", "reminded_at", "emailed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FeedbackRequest)
class FeedbackRequestAdmin(admin.ModelAdmin):
    list_display = ["name", "learner", "requested_by", "status", "due_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["learner", "requested_by"]
    search_fields = ["name", "learner__username", "learner__full_name"]
    autocomplete_fields = ["learner", "requested_by"]
    readonly_fields = ["status", "created_at", "cancelled_at"]
    inlines = [ResponderInline]
