"""Audiences in the admin: set audiences' members are chosen here, dynamic audiences' rules
written here; saving applies the change through features.audiences.actions."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import validate_timezone
from features.audiences import actions
from features.audiences.models import Audience, AudienceMember, AudienceRule
from totara_messaging.admin_inlines import LabelledTabularInline


class AudienceRuleForm(forms.ModelForm):
    class Meta:
        model = AudienceRule
        fields = ["field", "value", "manager", "other_audience"]

    def clean(self):
        data = super().clean()
        field, value = data.get("field"), (data.get("value") or "").strip()
        data["value"] = value
        Field = AudienceRule.Field
        if field in AudienceRule.TEXT_FIELDS and not value:
            self.add_error("value", _("This rule needs a value."))
        if field == Field.LANGUAGE and value:
            codes = [code for code, _ in settings.LANGUAGES]
            if value not in codes:
                self.add_error(
                    "value",
                    _("Use one of the site's languages: %(codes)s.") % {"codes": ", ".join(codes)},
                )
        if field == Field.TIMEZONE and value:
            try:
                validate_timezone(value)
            except ValidationError as error:
                self.add_error("value", error)
        if field == Field.MANAGER and not data.get("manager"):
            self.add_error("manager", _("Choose the manager."))
        if field == Field.MEMBER_OF:
            other = data.get("other_audience")
            if other is None:
                self.add_error("other_audience", _("Choose the audience."))
            elif self.instance.audience_id and other.pk == self.instance.audience_id:
                self.add_error("other_audience", _("An audience cannot contain itself."))
        return data


class AudienceRuleInline(LabelledTabularInline):
    model = AudienceRule
    fk_name = "audience"
    form = AudienceRuleForm
    extra = 1
    fields = ["field", "value", "manager", "other_audience", "broken_at"]
    readonly_fields = ["broken_at"]
    autocomplete_fields = ["manager", "other_audience"]
    verbose_name = gettext_lazy("rule")
    verbose_name_plural = gettext_lazy("Rules (dynamic audiences)")


class AudienceMemberInline(LabelledTabularInline):
    """A set audience's members. Saving calls set_members, which tells who joined and left."""

    model = AudienceMember
    extra = 1
    fields = ["user", "added_at"]
    readonly_fields = ["added_at"]
    autocomplete_fields = ["user"]
    verbose_name = gettext_lazy("member")
    verbose_name_plural = gettext_lazy("Members (set audiences)")


def recompute_now(modeladmin, request, queryset):
    for audience in queryset.filter(type=Audience.Type.DYNAMIC):
        result = actions.recompute(audience)
        level = messages.WARNING if result["broken"] else messages.SUCCESS
        modeladmin.message_user(
            request,
            (
                _(
                    "%(audience)s: %(added)s joined, %(removed)s left, a rule is broken "
                    "(membership unchanged)"
                )
                if result["broken"]
                else _("%(audience)s: %(added)s joined, %(removed)s left")
            )
            % {"audience": audience, "added": result["added"], "removed": result["removed"]},
            level,
        )


recompute_now.short_description = gettext_lazy(
    "Apply the rules of the selected dynamic audiences now"
)


@admin.register(Audience)
class AudienceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "type",
        "member_count",
        "has_broken_rule",
        "notify_added",
        "notify_removed",
        "recomputed_at",
    ]
    list_filter = ["type"]
    search_fields = ["name"]
    fields = [
        "name",
        "description",
        "type",
        "match",
        "notify_added",
        "notify_removed",
        "recomputed_at",
    ]
    readonly_fields = ["recomputed_at"]
    actions = [recompute_now]

    def get_queryset(self, request):
        broken = AudienceRule.objects.filter(audience=OuterRef("pk"), broken_at__isnull=False)
        return (
            super()
            .get_queryset(request)
            .annotate(member_count=Count("memberships"), has_broken_rule=Exists(broken))
        )

    @admin.display(description=gettext_lazy("Members"), ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    @admin.display(
        description=gettext_lazy("Broken rule"), boolean=True, ordering="has_broken_rule"
    )
    def has_broken_rule(self, obj):
        return obj.has_broken_rule

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        return [AudienceRuleInline] if obj.is_dynamic else [AudienceMemberInline]

    def get_readonly_fields(self, request, obj=None):
        # Switching type would leave members or rules behind: a new audience is clearer.
        return [*self.readonly_fields, "type"] if obj else self.readonly_fields

    def save_formset(self, request, form, formset, change):
        if formset.model is not AudienceMember:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        wanted = {
            f.cleaned_data["user"]
            for f in formset.forms
            if f.cleaned_data.get("user") and not f.cleaned_data.get("DELETE")
        }
        added, removed = actions.set_members(form.instance, wanted, actor=request.user)
        if added or removed:
            self.message_user(
                request,
                _("%(added)s member(s) joined, %(removed)s left.")
                % {"added": added, "removed": removed},
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.instance.is_dynamic and change:
            result = actions.recompute(form.instance)
            if result["broken"] or form.instance.rules.filter(broken_at__isnull=False).exists():
                self.message_user(
                    request,
                    _(
                        "A rule refers to something deleted; the members are unchanged until it is "
                        "fixed or removed."
                    ),
                    messages.WARNING,
                )
            else:
                self.message_user(
                    request,
                    _("Rules applied: %(added)s joined, %(removed)s left.")
                    % {"added": result["added"], "removed": result["removed"]},
                )
