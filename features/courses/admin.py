from django.contrib import admin

from features.courses.models import Course, Enrolment


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["user", "enrolled_by"]
    fk_name = "course"


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["full_name", "short_name", "created_at"]
    search_fields = ["full_name", "short_name"]
    inlines = [EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "role", "method", "ends_at"]
    list_filter = ["role", "method"]
    list_select_related = ["user", "course"]
    search_fields = ["user__username", "course__full_name"]
    autocomplete_fields = ["user", "course", "enrolled_by"]
