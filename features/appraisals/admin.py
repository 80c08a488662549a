from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.appraisals import actions
from features.appraisals.models import Answer, Appraisal, Participant, Role, Stage
from totara_messaging.admin_inlines import LabelledTabularInline


class StageForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The roles that answer in this stage."),
    )

    class Meta:
        model = Stage
        fields = ["position", "name", "roles", "due_at"]


class StageInline(LabelledTabularInline):
    model = Stage
    form = StageForm
    extra = 0
    ordering = ["position", "id"]

    # Stages are fixed once the appraisal is activated: participants were told about them.
    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Appraisal.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ParticipantInline(LabelledTabularInline):
    model = Participant
    extra = 0
    can_delete = False
    readonly_fields = ["role", "user"]

    def has_add_permission(self, request, obj=None):
        return False


class AppraisalForm(forms.ModelForm):
    class Meta:
        model = Appraisal
        fields = ["name", "learner", "appraiser"]

    def clean(self):
        data = super().clean()
        learner, appraiser = data.get("learner"), data.get("appraiser")
        if learner and appraiser and learner == appraiser:
            raise forms.ValidationError(_("The learner cannot be their own appraiser."))
        return data


@admin.register(Appraisal)
class AppraisalAdmin(admin.ModelAdmin):
    form = AppraisalForm
    list_display = ["name", "learner", "appraiser", "status", "current_stage", "activated_at"]
    list_filter = ["status"]
    list_select_related = ["learner", "appraiser", "current_stage"]
    search_fields = ["name", "learner__username", "learner__full_name"]
    autocomplete_fields = ["learner", "appraiser"]
    readonly_fields = ["status", "current_stage", "activated_at", "completed_at", "closed_at"]
    inlines = [StageInline, ParticipantInline]
    actions = ["activate", "close"]

    def get_readonly_fields(self, request, obj=None):
        fixed = ["learner", "appraiser"] if obj and obj.status != Appraisal.Status.DRAFT else []
        return [*fixed, *self.readonly_fields]

    def _run(self, request, queryset, action, done: str):
        count = 0
        for appraisal in queryset:
            try:
                action(appraisal, request.user)
            except actions.AppraisalError as error:
                self.message_user(
                    request,
                    _("%(appraisal)s: %(error)s") % {"appraisal": appraisal.name, "error": error},
                    messages.ERROR,
                )
            else:
                count += 1
        if count:
            self.message_user(
                request,
                done % {"count": count},
                messages.SUCCESS,
            )

    @admin.action(
        description=gettext_lazy("Activate the selected appraisals (sends each participant a task)")
    )
    def activate(self, request, queryset):
        self._run(
            request, queryset, actions.activate_appraisal, _("%(count)s appraisal(s) activated.")
        )

    @admin.action(
        description=gettext_lazy("Close the selected appraisals (alerts their participants)")
    )
    def close(self, request, queryset):
        self._run(request, queryset, actions.close_appraisal, _("%(count)s appraisal(s) closed."))


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ["stage", "role", "user", "completed_at"]
    list_select_related = ["stage", "user"]
    search_fields = ["stage__appraisal__name", "user__username", "user__full_name"]
    list_filter = ["role"]
    readonly_fields = ["stage", "role", "user", "text", "completed_at"]

    def has_add_permission(self, request):
        return False
