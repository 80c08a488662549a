from django.contrib import admin

from webpush.models import PushDelivery, PushSubscription


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    """The browsers that receive push notifications; deleting one unsubscribes it."""

    list_display = ["user", "user_agent", "created_at", "last_success_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "endpoint"]
    readonly_fields = ["user", "endpoint", "p256dh", "auth", "user_agent", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    """Every push attempt, with its outcome."""

    list_display = ["event", "user", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status"]
    list_select_related = ["event", "user"]
    search_fields = ["user__username", "event__key"]
    readonly_fields = [f.name for f in PushDelivery._meta.fields]

    def has_add_permission(self, request):
        return False
