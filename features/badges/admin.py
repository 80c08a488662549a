from django.contrib import admin

from features.badges.models import Award, Badge
from totara_messaging.admin_inlines import LabelledTabularInline


class AwardInline(LabelledTabularInline):
    model = Award
    extra = 0
    fields = ["user", "awarded_by", "awarded_at"]
    readonly_fields = fields
    can_delete = True

    def has_add_permission(self, request, obj=None):
        # Awards are made on the badge's page or by course completion, which tell the people.
        return False


@admin.register(Badge)
class BadgeAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "criterion", "active", "created_by", "created_at"]
    list_filter = ["criterion", "active"]
    list_select_related = ["course", "created_by"]
    search_fields = ["name", "course__full_name"]
    autocomplete_fields = ["course", "created_by"]
    inlines = [AwardInline]

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Award)
class AwardAdmin(admin.ModelAdmin):
    list_display = ["badge", "user", "awarded_by", "awarded_at"]
    list_select_related = ["badge", "user", "awarded_by"]
    search_fields = ["badge__name", "user__username", "user__full_name"]
    readonly_fields = ["badge", "user", "awarded_by", "awarded_at"]

    def has_add_permission(self, request):
        return False
