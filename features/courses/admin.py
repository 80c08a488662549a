from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.courses import actions
from features.courses.forms import RejectionForm
from features.courses.models import (
    Course,
    CourseRequest,
    CourseRequestRecipient,
    Enrolment,
    EnrolmentMethod,
)
from totara_messaging.admin_inlines import LabelledTabularInline


class EnrolmentInline(LabelledTabularInline):
    model = Enrolment
    extra = 0
    autocomplete_fields = ["user", "enrolled_by"]
    fk_name = "course"
    exclude = ["expiry_notified_for"]


class EnrolmentMethodInline(LabelledTabularInline):
    model = EnrolmentMethod
    extra = 0
    max_num = len(Enrolment.Method.choices)


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["full_name", "short_name", "created_at"]
    search_fields = ["full_name", "short_name"]
    inlines = [EnrolmentMethodInline, EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "course", "role", "method", "ends_at", "completed_at"]
    list_filter = ["role", "method"]
    list_select_related = ["user", "course"]
    search_fields = ["user__username", "course__full_name"]
    autocomplete_fields = ["user", "course", "enrolled_by"]
    readonly_fields = ["expiry_notified_for"]
    actions = ["mark_complete"]

    @admin.action(description=gettext_lazy("Mark the course complete (awards completion badges)"))
    def mark_complete(self, request, queryset):
        done = 0
        for enrolment in queryset.select_related("course", "user"):
            try:
                actions.complete_course(enrolment)
            except actions.CourseError as error:
                self.message_user(
                    request,
                    _("%(enrolment)s: %(error)s") % {"enrolment": enrolment, "error": error},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                _("%(done)s enrolment(s) marked complete.") % {"done": done},
                messages.SUCCESS,
            )


@admin.register(CourseRequest)
class CourseRequestAdmin(admin.ModelAdmin):
    list_display = ["full_name", "short_name", "requester", "status", "created_at", "reviewed_by"]
    list_filter = ["status"]
    list_select_related = ["requester", "reviewed_by"]
    search_fields = ["full_name", "short_name", "requester__username", "requester__full_name"]
    autocomplete_fields = ["requester"]
    readonly_fields = ["status", "reviewed_by", "reviewed_at", "rejection_reason", "course"]
    actions = ["approve", "reject"]

    @admin.action(description=gettext_lazy("Approve: create the course and tell the requester"))
    def approve(self, request, queryset):
        for course_request in queryset:
            try:
                course = actions.approve_course_request(course_request, request.user)
            except actions.CourseError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(course)s is created.") % {"course": course.full_name},
                    messages.SUCCESS,
                )

    @admin.action(description=gettext_lazy("Reject, with a reason sent to the requester"))
    def reject(self, request, queryset):
        form = RejectionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for course_request in queryset:
                try:
                    actions.reject_course_request(
                        course_request, request.user, form.cleaned_data["reason"]
                    )
                except actions.CourseError as error:
                    self.message_user(request, str(error), messages.ERROR)
                else:
                    self.message_user(
                        request,
                        _("%(course_request)s is rejected.")
                        % {"course_request": course_request.full_name},
                        messages.SUCCESS,
                    )
            return None
        return TemplateResponse(
            request,
            "admin/courses/reject_requests.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject course requests"),
                "requests": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(CourseRequestRecipient)
class CourseRequestRecipientAdmin(admin.ModelAdmin):
    list_display = ["user"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
