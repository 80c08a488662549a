from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.feedback import actions
from features.feedback.models import FeedbackActivity, FeedbackQuestion, FeedbackResponse
from totara_messaging.admin_inlines import LabelledTabularInline


class QuestionInline(LabelledTabularInline):
    model = FeedbackQuestion
    extra = 1


@admin.register(FeedbackActivity)
class FeedbackActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "opens_at", "closes_at", "notify_submissions", "anonymous"]
    list_filter = ["notify_submissions", "anonymous"]
    list_select_related = ["course"]
    search_fields = ["name", "course__full_name"]
    autocomplete_fields = ["course", "administrators"]
    inlines = [QuestionInline]
    actions = ["send_completion_reminder"]

    @admin.action(
        description=gettext_lazy("Send the completion reminder now to those who have not answered")
    )
    def send_completion_reminder(self, request, queryset):
        for activity in queryset.select_related("course"):
            result = actions.remind_to_complete(activity, actor=request.user)
            count = result.recipients if result else 0
            self.message_user(
                request,
                _("%(activity)s: %(count)s learner(s) reminded.")
                % {"activity": activity.name, "count": count},
                messages.INFO,
            )


@admin.register(FeedbackResponse)
class FeedbackResponseAdmin(admin.ModelAdmin):
    list_display = ["activity", "respondent", "submitted_at"]
    list_select_related = ["activity", "respondent"]
    search_fields = ["activity__name"]
    readonly_fields = ["activity", "respondent", "submitted_at"]

    def has_add_permission(self, request):
        return False
