from django.contrib import admin

from features.forums.models import (
    Discussion,
    DiscussionSubscription,
    Forum,
    ForumSubscription,
    MailPreference,
    Post,
)
from totara_messaging.admin_inlines import LabelledTabularInline


class ForumSubscriptionInline(LabelledTabularInline):
    model = ForumSubscription
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "mode", "created_at"]
    list_filter = ["mode"]
    list_select_related = ["course"]
    search_fields = ["name", "course__full_name", "course__short_name"]
    autocomplete_fields = ["course"]
    inlines = [ForumSubscriptionInline]


class PostInline(admin.StackedInline):
    model = Post
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["author", "parent", "message", "created_at", "mailed_at"]
    readonly_fields = ["parent", "created_at", "mailed_at"]


@admin.register(Discussion)
class DiscussionAdmin(admin.ModelAdmin):
    list_display = ["subject", "forum", "author", "created_at"]
    list_select_related = ["forum", "author"]
    search_fields = ["subject", "forum__name"]
    autocomplete_fields = ["forum", "author"]
    inlines = [PostInline]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["__str__", "discussion", "author", "created_at", "mailed_at"]
    list_select_related = ["discussion", "author"]
    search_fields = ["message", "discussion__subject", "author__username", "author__full_name"]
    autocomplete_fields = ["discussion", "author"]
    raw_id_fields = ["parent"]
    readonly_fields = ["mailed_at"]


@admin.register(DiscussionSubscription)
class DiscussionSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "discussion", "subscribed", "created_at"]
    list_filter = ["subscribed"]
    list_select_related = ["user", "discussion"]
    search_fields = ["user__username", "user__full_name", "discussion__subject"]
    autocomplete_fields = ["user", "discussion"]


@admin.register(MailPreference)
class MailPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "mode"]
    list_filter = ["mode"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__full_name"]
    autocomplete_fields = ["user"]
