from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications import catalogue, email
from notifications.models import (
    Digest,
    EmailDelivery,
    EmailSuppression,
    Event,
    MessageTemplate,
    MessageType,
    OutputSetting,
    SiteMessaging,
    SiteOutput,
    Undelivered,
)
from notifications.rendering import render
from totara_messaging.admin_inlines import LabelledTabularInline


class OutputSettingInline(LabelledTabularInline):
    model = OutputSetting
    extra = 0
    can_delete = False
    fields = ["output", "permission", "logged_in", "logged_off"]
    readonly_fields = ["output"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MessageType)
class MessageTypeAdmin(admin.ModelAdmin):
    """Output settings per message type, grouped by feature: what users may choose."""

    list_display = [
        "name",
        "feature_name",
        "kind",
        "web",
        "email",
        "push",
        "short_description",
        "key",
    ]
    list_filter = ["feature_name", "kind", "obsolete"]
    search_fields = ["key", "name", "description"]
    readonly_fields = [
        "key",
        "feature",
        "feature_name",
        "kind",
        "name",
        "description",
        "recipients",
    ]
    inlines = [OutputSettingInline]
    ordering = ["feature_name", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("output_settings")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _setting(self, obj, output):
        for s in obj.output_settings.all():
            if s.output == output:
                on = [label for label, flag in (("in", s.logged_in), ("off", s.logged_off)) if flag]
                return f"{s.permission} ({'/'.join(on) or 'off'})"
        return "-"

    @admin.display(description=_("Description"))
    def short_description(self, obj):
        return obj.description

    @admin.display(description=_("Web"))
    def web(self, obj):
        return self._setting(obj, "web")

    @admin.display(description=_("Email"))
    def email(self, obj):
        return self._setting(obj, "email")

    @admin.display(description="Push")
    def push(self, obj):
        return self._setting(obj, "push")


@admin.register(SiteOutput)
class SiteOutputAdmin(admin.ModelAdmin):
    """Switch an output off for the whole site."""

    list_display = ["output", "enabled"]
    list_editable = ["enabled"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SiteMessaging)
class SiteMessagingAdmin(admin.ModelAdmin):
    """The site's messaging settings: one row, opened straight from the admin index."""

    def has_add_permission(self, request):
        return not SiteMessaging.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        from django.shortcuts import redirect

        settings = SiteMessaging.load()
        if settings._state.adding:
            return redirect("admin:notifications_sitemessaging_add")
        return redirect("admin:notifications_sitemessaging_change", settings.pk)


@admin.register(Digest)
class DigestAdmin(admin.ModelAdmin):
    """The digests sent (notifications.digests): what each carried, and its outbox row."""

    list_display = ["created_at", "user", "cadence", "period", "item_count", "subject", "status"]
    list_filter = ["cadence", "created_at"]
    search_fields = ["user__username", "user__email", "subject"]
    list_select_related = ["user", "delivery"]
    readonly_fields = [f.name for f in Digest._meta.fields]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="Email")
    def status(self, obj):
        return obj.delivery.get_status_display() if obj.delivery else "-"

    def has_add_permission(self, request):
        return False


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):
    """A type's subject and bodies in one language, replacing the default of the code."""

    list_display = ["message_type", "language", "subject", "updated_at"]
    list_filter = ["language", "message_type__feature_name"]
    search_fields = ["message_type__key", "subject"]
    autocomplete_fields = ["message_type"]
    readonly_fields = ["placeholders", "preview"]
    actions = ["send_me_a_test"]

    @admin.display(description=_("Placeholders you may use"))
    def placeholders(self, obj):
        if not obj or not obj.message_type_id:
            return _("Save once to see the placeholders of the type.")
        message_type = catalogue.get(obj.message_type.key)
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join(
                    format_html(
                        "<li><code>{{{{ {} }}}}</code>: {}{}</li>",
                        p.name,
                        p.description,
                        " (required)" if p.required else "",
                    )
                    for p in message_type.all_placeholders
                )
            ),
        )

    @admin.display(description=_("Preview (with sample values)"))
    def preview(self, obj):
        if not obj or not obj.pk:
            return _("Save to preview.")
        rendered = _sample(obj, obj.message_type.key)
        return format_html(
            "<strong>{}</strong><pre style='white-space: pre-wrap'>{}</pre>",
            rendered.subject,
            rendered.text,
        )

    @admin.action(description=_("Send me a test of the selected templates"))
    def send_me_a_test(self, request, queryset):
        from django.core.mail import EmailMultiAlternatives

        sent = 0
        for template in queryset.select_related("message_type"):
            rendered = _sample(template, template.message_type.key)
            message = EmailMultiAlternatives(
                f"[Test] {rendered.subject}", rendered.text, to=[request.user.email]
            )
            message.attach_alternative(str(rendered.html), "text/html")
            message.send()
            sent += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d test email sent to %(address)s.",
                "%(count)d test emails sent to %(address)s.",
                sent,
            )
            % {"count": sent, "address": request.user.email},
        )


def _sample(template, key):
    message_type = catalogue.get(key)
    context = {p.name: f"[{p.name}]" for p in message_type.placeholders}
    return render(
        key,
        context,
        language=template.language,
        recipient_name="[recipient]",
        sender_name="[sender]",
        url="/",
        override=template,
    )


@admin.register(EmailDelivery)
class EmailDeliveryAdmin(admin.ModelAdmin):
    """The delivery log: every email, its attempts, its errors; resend from here."""

    list_display = [
        "created_at",
        "to_address",
        "key",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "event__message_type__feature_name", "created_at"]
    search_fields = ["to_address", "esp_message_id", "event__key", "subject"]
    list_select_related = ["event"]
    readonly_fields = [f.name for f in EmailDelivery._meta.fields]
    actions = ["resend"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("Type"))
    def key(self, obj):
        return obj.event.key if obj.event_id else f"digest ({obj.why})"

    @admin.display(description=_("Error"))
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description=_("Send the selected emails again"))
    def resend(self, request, queryset):
        count = email.resend(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("%(count)d email queued again.", "%(count)d emails queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "key", "sender", "recipient_count", "dedupe_key"]
    list_filter = ["message_type__feature_name", "created_at"]
    search_fields = ["key", "dedupe_key"]
    list_select_related = ["sender"]
    readonly_fields = [f.name for f in Event._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False


@admin.register(Undelivered)
class UndeliveredAdmin(admin.ModelAdmin):
    """Recipients whom no output reached, and why."""

    list_display = ["created_at", "event", "user", "reason"]
    list_select_related = ["event", "user"]
    search_fields = ["user__username", "event__key", "reason"]
    readonly_fields = ["event", "user", "reason", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(EmailSuppression)
class EmailSuppressionAdmin(admin.ModelAdmin):
    list_display = ["address", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["address"]
