from django.contrib import admin

from features.site_admin.models import BackupRun, Event, Rule, RuleSubscription
from totara_messaging.admin_inlines import LabelledTabularInline


class RuleSubscriptionInline(LabelledTabularInline):
    model = RuleSubscription
    extra = 1
    autocomplete_fields = ["user"]
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "event_name",
        "threshold",
        "window_minutes",
        "active",
        "last_triggered_at",
    ]
    list_filter = ["active"]
    search_fields = ["name", "event_name"]
    readonly_fields = ["last_triggered_at", "created_at"]
    fields = [
        "name",
        "event_name",
        "threshold",
        "window_minutes",
        "description",
        "active",
        "last_triggered_at",
        "created_at",
    ]
    inlines = [RuleSubscriptionInline]


@admin.register(RuleSubscription)
class RuleSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "rule", "created_at"]
    list_select_related = ["user", "rule"]
    search_fields = ["user__username", "user__full_name", "rule__name"]
    autocomplete_fields = ["user", "rule"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at"]
    list_filter = ["name"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username"]
    date_hierarchy = "created_at"
    readonly_fields = ["name", "user", "data", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BackupRun)
class BackupRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "database", "size_bytes", "path", "finished_at"]
    list_filter = ["status", "database"]
    readonly_fields = [
        "path",
        "database",
        "size_bytes",
        "status",
        "error",
        "started_at",
        "finished_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
