from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "email", "language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Profile"), {"fields": ["full_name", "language", "timezone"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "email", "full_name"]}),
        *BaseUserAdmin.add_fieldsets,
    ]
