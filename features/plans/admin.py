from django.contrib import admin, messages
from django.utils.translation import gettext as _

from features.plans import actions
from features.plans.models import (
    Competency,
    ObjectiveScale,
    ObjectiveStatus,
    Plan,
    PlanComment,
    PlanItem,
)
from totara_messaging.admin_inlines import LabelledTabularInline


class ObjectiveStatusInline(LabelledTabularInline):
    model = ObjectiveStatus
    extra = 1
    fields = ["position", "name", "achieved"]


@admin.register(ObjectiveScale)
class ObjectiveScaleAdmin(admin.ModelAdmin):
    """Status values are saved and deleted through the plans' actions, which tell the learners
    whose plans use the scale (or the site admins when none does)."""

    list_display = ["name", "created_at"]
    search_fields = ["name"]
    readonly_fields = ["created_at"]
    inlines = [ObjectiveStatusInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not ObjectiveStatus:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for status in formset.deleted_objects:
            actions.delete_objective_status(status, request.user)
        for status in formset.new_objects:
            actions.save_objective_status(status, request.user)
        for status, _changed in formset.changed_objects:
            actions.save_objective_status(status, request.user)
        formset.save_m2m()


@admin.register(ObjectiveStatus)
class ObjectiveStatusAdmin(admin.ModelAdmin):
    list_display = ["name", "scale", "position", "achieved"]
    list_filter = ["scale", "achieved"]
    list_select_related = ["scale"]
    search_fields = ["name", "scale__name"]

    def save_model(self, request, obj, form, change):
        actions.save_objective_status(obj, request.user)

    def delete_model(self, request, obj):
        actions.delete_objective_status(obj, request.user)

    def delete_queryset(self, request, queryset):
        for status in queryset.select_related("scale"):
            actions.delete_objective_status(status, request.user)
        self.message_user(request, _("The people concerned have been told."), messages.INFO)


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


class PlanItemInline(LabelledTabularInline):
    """Read only: items change on the plan's page, where the other party is told."""

    model = PlanItem
    extra = 0
    can_delete = False
    fields = [
        "kind",
        "course",
        "competency",
        "name",
        "approval",
        "objective_status",
        "completed_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "learner", "status", "objective_scale", "created_at"]
    list_filter = ["status", "objective_scale"]
    list_select_related = ["learner", "objective_scale"]
    search_fields = ["name", "learner__username", "learner__full_name"]
    autocomplete_fields = ["learner"]
    readonly_fields = ["status", "approved_at", "completed_at", "created_at"]
    inlines = [PlanItemInline]


@admin.register(PlanComment)
class PlanCommentAdmin(admin.ModelAdmin):
    list_display = ["plan", "author", "created_at"]
    list_select_related = ["plan", "author"]
    search_fields = ["plan__name", "author__username", "body"]
    readonly_fields = ["plan", "author", "body", "created_at"]
