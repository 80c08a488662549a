from django.contrib import admin

from instant.models import Block, Contact, Conversation, Membership, Message, MessagingSettings
from totara_messaging.admin_inlines import LabelledTabularInline


class MembershipInline(LabelledTabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "created_at", "last_message_at"]
    list_filter = ["kind"]
    inlines = [MembershipInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "sender", "conversation"]
    raw_id_fields = ["sender", "conversation"]
    list_select_related = ["sender", "conversation"]
    show_full_result_count = False


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "privacy"]
    list_filter = ["privacy"]
    raw_id_fields = ["user"]


admin.site.register(Contact, raw_id_fields=["user", "contact"])
admin.site.register(Block, raw_id_fields=["blocker", "blocked"])
