"""Admins set programs up here: course sets, the Messages tab, assignments, the exception
report. Every change that tells someone goes through features.programs.actions."""

import datetime
from collections import defaultdict

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.audiences.models import Audience
from features.programs import actions
from features.programs.models import (
    Assignment,
    AssignmentException,
    CourseCompletion,
    CourseSet,
    ExtensionRequest,
    MessageSetting,
    Program,
    SentMessage,
)
from features.programs.notices import ensure_message_settings
from notifications import catalogue


class CourseSetInline(admin.StackedInline):
    model = CourseSet
    extra = 0
    autocomplete_fields = ["courses"]
    fields = ["name", "position", "completion", "courses", "time_allowance_days"]


class MessageSettingForm(forms.ModelForm):
    class Meta:
        model = MessageSetting
        fields = [
            "message",
            "enabled",
            "offset_days",
            "notify_manager",
            "subject",
            "body",
            "manager_text",
        ]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 4, "cols": 80}),
            "manager_text": forms.Textarea(attrs={"rows": 2, "cols": 80}),
        }

    def clean(self):
        data = super().clean()
        message = data.get("message")
        if data.get("offset_days") is not None and message not in MessageSetting.WITH_OFFSET:
            self.add_error(
                "offset_days", _("This message is sent when it happens; leave it empty.")
            )
        if message in MessageSetting.WITHOUT_MANAGER:
            if data.get("notify_manager"):
                self.add_error(
                    "notify_manager", _("This message goes to site admins, not learners.")
                )
            if data.get("manager_text"):
                self.add_error("manager_text", _("This message goes to site admins, not learners."))
        if "\n" in (data.get("subject") or "").strip():
            self.add_error("subject", _("A subject is one line."))
        return data


class MessageSettingFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        program = self.instance
        kept: dict[str, int] = {}
        deleted: dict[str, int] = {}
        for form in self.forms:
            message = form.cleaned_data.get("message")
            if not message:
                continue
            if self.can_delete and self._should_delete_form(form):
                deleted[message] = deleted.get(message, 0) + 1
                continue
            kept[message] = kept.get(message, 0) + 1
            if kept[message] > 1 and message not in MessageSetting.WITH_OFFSET:
                form.add_error(
                    "message",
                    _(
                        "This message is sent when it happens: it has one row. Only the messages "
                        "sent some days before or after a date may have several."
                    ),
                )
                continue
            if (
                program.kind != Program.Kind.CERTIFICATION
                and message in MessageSetting.CERTIFICATION_ONLY
            ):
                form.add_error("message", _("Only certifications send re-certification messages."))
                continue
            # The texts are rendered with the message type's placeholders: refuse any that
            # would fail at send time, naming what is wrong.
            message_type = catalogue.get(program.key(message))
            for name in ("subject", "body", "manager_text"):
                try:
                    message_type.check_template(form.cleaned_data.get(name) or "")
                except catalogue.TemplateProblem as problem:
                    form.add_error(name, str(problem))
        for message in deleted:
            if not kept.get(message):
                raise forms.ValidationError(
                    _(
                        "Keep one row of “%(label)s”: untick “Enabled” to stop that message (a "
                        "program without the row would send the default)."
                    )
                    % {"label": MessageSetting.Message(message).label}
                )


class MessageSettingInline(admin.StackedInline):
    model = MessageSetting
    form = MessageSettingForm
    formset = MessageSettingFormSet
    extra = 0
    readonly_fields = ["placeholders"]
    fields = [
        ("message", "enabled", "offset_days", "notify_manager"),
        "subject",
        "body",
        "manager_text",
        "placeholders",
    ]
    verbose_name = gettext_lazy("message")
    verbose_name_plural = gettext_lazy(
        "Messages (empty subject and text use the message type's, in each learner's language; "
        "an offset change never resends what was sent)"
    )

    @admin.display(description=gettext_lazy("Placeholders"))
    def placeholders(self, obj):
        if not obj or not obj.pk:
            return _("Save once to see the placeholders of this message.")
        message_type = catalogue.get(obj.program.key(obj.message))
        return format_html_join(
            ", ",
            "<code>{{{{ {} }}}}</code> ({})",
            ((p.name, p.description) for p in message_type.all_placeholders),
        )


class AssignForm(forms.Form):
    learners = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        help_text=gettext_lazy("Assign these people individually."),
    )
    team_of = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        label=gettext_lazy("Team of"),
        help_text=gettext_lazy("Assign everyone this manager manages now."),
    )
    audience = forms.ModelChoiceField(
        queryset=Audience.objects.all(),
        required=False,
        help_text=gettext_lazy("Assign every member of this audience now."),
    )
    due_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy(
            "Due at the end of this day (site time); empty for no due date. A date "
            "already past makes exceptions for site admins to resolve."
        ),
    )

    def clean(self):
        data = super().clean()
        if not data.get("learners") and not data.get("team_of") and not data.get("audience"):
            raise forms.ValidationError(_("Choose learners, a manager's team or an audience."))
        return data

    def due_at(self):
        day = self.cleaned_data.get("due_date")
        if day is None:
            return None
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59)))


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "allow_extension_requests", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [CourseSetInline, MessageSettingInline]
    actions = ["assign"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        ensure_message_settings(form.instance)

    @admin.action(
        description=gettext_lazy("Assign learners (individually, a manager's team or an audience)")
    )
    def assign(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for program in queryset:
                try:
                    results = []
                    if form.cleaned_data["learners"]:
                        results.append(
                            actions.assign_users(
                                program,
                                form.cleaned_data["learners"],
                                due_at=form.due_at(),
                                actor=request.user,
                            )
                        )
                    if form.cleaned_data["audience"]:
                        results.append(
                            actions.assign_audience(
                                program,
                                form.cleaned_data["audience"],
                                due_at=form.due_at(),
                                actor=request.user,
                            )
                        )
                    if form.cleaned_data["team_of"]:
                        results.append(
                            actions.assign_team(
                                program,
                                form.cleaned_data["team_of"],
                                due_at=form.due_at(),
                                actor=request.user,
                            )
                        )
                except actions.ProgramError as error:
                    self.message_user(
                        request,
                        _("%(program)s: %(error)s") % {"program": program, "error": error},
                        messages.ERROR,
                    )
                    continue
                assigned = sum(len(r.assigned) for r in results)
                raised = sum(len(r.exceptions) for r in results)
                self.message_user(
                    request,
                    _("%(program)s: %(assigned)s assigned, %(raised)s exception(s) raised.")
                    % {"program": program, "assigned": assigned, "raised": raised},
                    messages.WARNING if raised else messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/programs/assign.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Assign learners"),
                "programs": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "program", "status", "source", "due_at", "completed_at"]
    list_filter = ["status", "source", "program__kind", "program"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__full_name", "program__name"]
    autocomplete_fields = ["user", "program", "assigned_by"]
    readonly_fields = [
        "program",
        "user",
        "status",
        "source",
        "source_id",
        "assigned_by",
        "assigned_at",
        "cycle_started_at",
        "completed_at",
        "removed_at",
    ]
    actions = ["unassign"]

    def has_add_permission(self, request):
        return False  # Assign from the programs list, so learners are told and checked.

    def save_model(self, request, obj, form, change):
        if "due_at" in form.changed_data:
            try:
                actions.set_due_date(obj, obj.due_at, actor=request.user)
            except actions.ProgramError as error:
                self.message_user(request, str(error), messages.ERROR)

    @admin.action(description=gettext_lazy("Remove from the program (tells the learner)"))
    def unassign(self, request, queryset):
        by_program = defaultdict(list)
        for assignment in queryset.select_related("program"):
            by_program[assignment.program].append(assignment.user_id)
        removed = sum(
            actions.unassign_users(program, user_ids, actor=request.user)
            for program, user_ids in by_program.items()
        )
        self.message_user(
            request,
            _("%(removed)s assignment(s) removed.") % {"removed": removed},
            messages.SUCCESS,
        )


class OpenFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("resolved", "Resolved")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(resolved_at__isnull=True)
        if self.value() == "resolved":
            return queryset.filter(resolved_at__isnull=False)
        return queryset


@admin.register(AssignmentException)
class AssignmentExceptionAdmin(admin.ModelAdmin):
    """The exception report."""

    list_display = [
        "user",
        "program",
        "kind",
        "requested_due_at",
        "source",
        "raised_at",
        "resolution",
    ]
    list_filter = [OpenFilter, "kind", "program"]
    list_select_related = ["user", "program"]
    search_fields = ["user__username", "user__full_name", "program__name"]
    actions = ["assign_anyway", "dismiss"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def _resolve(self, request, queryset, resolution):
        for exception in queryset:
            try:
                actions.resolve_exception(exception, resolution, actor=request.user)
            except actions.ProgramError as error:
                self.message_user(
                    request,
                    _("%(exception)s: %(error)s") % {"exception": exception, "error": error},
                    messages.ERROR,
                )
            else:
                self.message_user(
                    request,
                    _("%(exception)s: resolved.") % {"exception": exception},
                    messages.SUCCESS,
                )

    @admin.action(
        description=gettext_lazy("Assign anyway (past due: start overdue; duplicate: new due date)")
    )
    def assign_anyway(self, request, queryset):
        self._resolve(request, queryset, AssignmentException.Resolution.ASSIGN)

    @admin.action(
        description=gettext_lazy("Dismiss (past due: do not assign; duplicate: keep as it is)")
    )
    def dismiss(self, request, queryset):
        self._resolve(request, queryset, AssignmentException.Resolution.DISMISS)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ExtensionRequest)
class ExtensionRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "assignment",
        "current_due_at",
        "requested_due_at",
        "status",
        "decided_by",
        "created_at",
    ]
    list_filter = ["status"]
    list_select_related = ["assignment__user", "assignment__program", "decided_by"]
    search_fields = ["assignment__user__username", "assignment__program__name"]


@admin.register(SentMessage)
class SentMessageAdmin(ReadOnlyAdmin):
    """The send log."""

    list_display = ["assignment", "message", "course_set_id", "about_at", "sent_at"]
    list_filter = ["message"]
    list_select_related = ["assignment__user", "assignment__program"]
    search_fields = ["assignment__user__username", "assignment__program__name"]


@admin.register(CourseCompletion)
class CourseCompletionAdmin(admin.ModelAdmin):
    """Adding a completion here completes the course sets and programs it finishes."""

    list_display = ["user", "course", "completed_at"]
    list_select_related = ["user", "course"]
    search_fields = ["user__username", "user__full_name", "course__full_name"]
    autocomplete_fields = ["user", "course"]
    fields = ["user", "course"]

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            actions.complete_course(obj.user, obj.course)
        except actions.ProgramError as error:
            self.message_user(request, str(error), messages.ERROR)
