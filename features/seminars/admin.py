"""Admins set up seminars, sessions and trainers here; every change that tells someone goes
through features.seminars.actions."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from features.seminars import actions
from features.seminars.models import Booking, Seminar, Session, SessionTrainer
from totara_messaging.admin_inlines import LabelledTabularInline


class ClosesApprovalTasks:
    """Deleting bookings, or the sessions or seminars that hold them, first closes the approval
    tasks of the requests among them, so no manager is left with a task about nothing."""

    bookings_of = "pk"  # the lookup from a booking to this admin's model

    def _close_approval_tasks(self, request, objects) -> None:
        requested = Booking.objects.filter(
            status=Booking.Status.REQUESTED, **{f"{self.bookings_of}__in": objects}
        ).values_list("pk", flat=True)
        actions.close_approval_tasks(requested, action="removed", actor=request.user)

    @transaction.atomic
    def delete_model(self, request, obj):
        self._close_approval_tasks(request, [obj.pk])
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        self._close_approval_tasks(request, queryset)
        super().delete_queryset(request, queryset)


class SessionInline(LabelledTabularInline):
    model = Session
    extra = 0
    fields = ["starts_at", "ends_at", "room", "capacity", "needs_approval", "cancelled_at"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Seminar)
class SeminarAdmin(ClosesApprovalTasks, admin.ModelAdmin):
    bookings_of = "session__seminar"
    list_display = ["name", "course", "reminder_days", "notify_managers", "session_count"]
    list_select_related = ["course"]
    search_fields = ["name"]
    autocomplete_fields = ["course"]
    inlines = [SessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_count=Count("sessions"))

    @admin.display(description=gettext_lazy("Sessions"), ordering="session_count")
    def session_count(self, obj):
        return obj.session_count


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "seminar",
            "starts_at",
            "ends_at",
            "room",
            "capacity",
            "needs_approval",
            "allow_waitlist",
        ]

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at:
            if not self.instance.pk and ends_at <= starts_at:
                raise forms.ValidationError(_("The session must end after it starts."))
            if self.instance.pk and {"starts_at", "ends_at"} & set(self.changed_data):
                try:
                    actions.check_session_dates(self.instance, starts_at, ends_at)
                except actions.SeminarError as error:
                    raise forms.ValidationError(str(error)) from None
        return data


class TrainerInline(LabelledTabularInline):
    """Trainers of a session. Saving calls assign_trainer / unassign_trainer, which tell them."""

    model = SessionTrainer
    extra = 1
    fields = ["trainer", "assigned_at"]
    readonly_fields = ["assigned_at"]
    autocomplete_fields = ["trainer"]


def cancel_sessions(modeladmin, request, queryset):
    done = 0
    for session in queryset:
        try:
            actions.cancel_session(session, actor=request.user)
        except actions.SeminarError as error:
            modeladmin.message_user(
                request,
                _("%(session)s: %(error)s") % {"session": session, "error": error},
                messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, _("Cancelled %(done)s session(s); everyone booked is told.") % {"done": done}
        )


cancel_sessions.short_description = gettext_lazy(
    "Cancel the selected sessions (tells learners and trainers)"
)


@admin.register(Session)
class SessionAdmin(ClosesApprovalTasks, admin.ModelAdmin):
    bookings_of = "session"
    form = SessionForm
    inlines = [TrainerInline]
    list_display = [
        "seminar",
        "starts_at",
        "room",
        "capacity",
        "booked",
        "waitlisted",
        "needs_approval",
        "cancelled_at",
    ]
    list_filter = ["needs_approval", ("cancelled_at", admin.EmptyFieldListFilter)]
    list_select_related = ["seminar"]
    search_fields = ["seminar__name", "room"]
    autocomplete_fields = ["seminar"]
    date_hierarchy = "starts_at"
    actions = [cancel_sessions]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                booked=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
                waitlisted=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
            )
        )

    @admin.display(description=gettext_lazy("Booked"), ordering="booked")
    def booked(self, obj):
        return obj.booked

    @admin.display(description=gettext_lazy("Wait-listed"), ordering="waitlisted")
    def waitlisted(self, obj):
        return obj.waitlisted

    def save_model(self, request, obj, form, change):
        dates_changed = change and {"starts_at", "ends_at"} & set(form.changed_data)
        if dates_changed:
            starts_at, ends_at = obj.starts_at, obj.ends_at
            original = Session.objects.get(pk=obj.pk)
            obj.starts_at, obj.ends_at = original.starts_at, original.ends_at
            super().save_model(request, obj, form, change)
            actions.change_session_dates(obj, starts_at, ends_at, actor=request.user)
            obj.refresh_from_db()
        else:
            super().save_model(request, obj, form, change)
        if change and "capacity" in form.changed_data:
            promoted = actions.fill_from_waitlist(obj)
            if promoted:
                self.message_user(
                    request,
                    _("%(promoted)s wait-listed learner(s) got a place.") % {"promoted": promoted},
                )

    def save_formset(self, request, form, formset, change):
        if formset.model is not SessionTrainer:
            return super().save_formset(request, form, formset, change)
        # The actions change the rows (and tell the trainers); the admin's history wants these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        session = form.instance
        wanted = {
            f.cleaned_data["trainer"]
            for f in formset.forms
            if f.cleaned_data.get("trainer") and not f.cleaned_data.get("DELETE")
        }
        current = set(session.trainers.all())
        for trainer in current - wanted:
            actions.unassign_trainer(session, trainer, actor=request.user)
        for trainer in wanted - current:
            try:
                actions.assign_trainer(session, trainer, actor=request.user)
            except actions.SeminarError as error:
                self.message_user(
                    request,
                    _("%(trainer)s: %(error)s") % {"trainer": trainer, "error": error},
                    messages.ERROR,
                )


def cancel_bookings(modeladmin, request, queryset):
    done = 0
    for booking in queryset.select_related("session"):
        try:
            actions.cancel_booking(booking, request.user)
        except actions.SeminarError as error:
            modeladmin.message_user(
                request,
                _("%(booking)s: %(error)s") % {"booking": booking, "error": error},
                messages.ERROR,
            )
        else:
            done += 1
    if done:
        modeladmin.message_user(
            request, _("Cancelled %(done)s booking(s); the learners are told.") % {"done": done}
        )


cancel_bookings.short_description = gettext_lazy(
    "Cancel the selected bookings (tells the learners)"
)


@admin.action(
    description=gettext_lazy("Mark fully attended (completes the seminar for the course)")
)
def mark_fully_attended(modeladmin, request, queryset):
    by_session: dict[int, list[Booking]] = {}
    for booking in queryset.select_related("session"):
        by_session.setdefault(booking.session_id, []).append(booking)
    done = 0
    for bookings in by_session.values():
        marks = {b.pk: Booking.Attendance.FULLY for b in bookings}
        try:
            done += actions.take_attendance(bookings[0].session, request.user, marks)
        except actions.SeminarError as error:
            modeladmin.message_user(
                request,
                _("%(session)s: %(error)s") % {"session": bookings[0].session, "error": error},
                messages.ERROR,
            )
    if done:
        modeladmin.message_user(
            request, _("%(done)s booking(s) marked fully attended.") % {"done": done}
        )


@admin.register(Booking)
class BookingAdmin(ClosesApprovalTasks, admin.ModelAdmin):
    """Bookings are made by learners; admins see them and may cancel them."""

    list_display = [
        "user",
        "session",
        "status",
        "attendance",
        "created_at",
        "confirmed_at",
        "decided_by",
    ]
    list_filter = ["status", "attendance"]
    list_select_related = ["user", "session__seminar", "decided_by"]
    search_fields = ["user__username", "user__full_name", "session__seminar__name"]
    readonly_fields = [f.name for f in Booking._meta.fields]
    actions = [cancel_bookings, mark_fully_attended]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
