from django.contrib import admin

from alerts.models import Alert


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "kind",
        "key",
        "urgency",
        "read_at",
        "done_at",
        "action",
    ]
    list_filter = ["kind", "feature", "urgency"]
    search_fields = ["recipient__username", "key"]
    list_select_related = ["recipient"]
    raw_id_fields = ["event", "recipient", "acted_by"]
    show_full_result_count = False
