"""Courses: enrolments, completion, course requests, and the messages they send."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

import notifications
from features.courses.models import (
    Course,
    CourseRequest,
    CourseRequestRecipient,
    Enrolment,
    EnrolmentMethod,
)

EXPIRY_KEYS = {
    Enrolment.Method.MANUAL: "courses.manual_enrolment_expiry",
    Enrolment.Method.SELF: "courses.self_enrolment_expiry",
}


class CourseError(ValueError):
    """A course change that cannot be made; the message says why, `field` which input is wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# Reads


def is_trainer(user, course_id: int) -> bool:
    return Enrolment.objects.active().trainers().filter(course_id=course_id, user=user).exists()


def is_learner(user, course_id: int) -> bool:
    return Enrolment.objects.active().learners().filter(course_id=course_id, user=user).exists()


def method_setting(course: Course, method: str) -> EnrolmentMethod:
    """The course's setting for `method`, or an unsaved one with the defaults."""
    setting = EnrolmentMethod.objects.filter(course=course, method=method).first()
    if setting is None:
        setting = EnrolmentMethod(
            course=course, method=method, enabled=method == Enrolment.Method.MANUAL
        )
    return setting


# Enrolments


def _enrol(course, user, *, role, method, ends_at, enrolled_by, now) -> Enrolment:
    if ends_at is not None and ends_at <= now:
        raise CourseError(_("The end date must be in the future."), field="ends_at")
    existing = Enrolment.objects.select_for_update().filter(course=course, user=user, role=role)
    enrolment = existing.first()
    if enrolment is not None and (enrolment.ends_at is None or enrolment.ends_at > now):
        raise CourseError(
            _("%(user)s is already enrolled in %(course)s.")
            % {"user": user.display_name, "course": course.full_name}
        )
    if enrolment is None:
        enrolment = Enrolment(course=course, user=user, role=role)
    enrolment.method = method
    enrolment.enrolled_by = enrolled_by
    enrolment.starts_at = now
    enrolment.ends_at = ends_at
    enrolment.expiry_notified_for = None
    enrolment.save()
    return enrolment


@transaction.atomic
def enrol_user(
    course: Course,
    user,
    *,
    enrolled_by=None,
    role: str = Enrolment.Role.LEARNER,
    ends_at=None,
) -> Enrolment:
    """Enrols `user` manually (an admin or a trainer did it; the caller checks who may).

    Without `ends_at`, the manual method's enrolment period (if any) sets the end date. An
    enrolment that ended is renewed. Raises CourseError when manual enrolment is disabled, the
    user is already enrolled in that role, or the end date is past.
    """
    now = timezone.now()
    setting = method_setting(course, Enrolment.Method.MANUAL)
    if not setting.enabled:
        raise CourseError(
            _("Manual enrolment is disabled in %(course)s.") % {"course": course.full_name}
        )
    if ends_at is None and setting.enrolment_days:
        ends_at = now + timedelta(days=setting.enrolment_days)
    return _enrol(
        course,
        user,
        role=role,
        method=Enrolment.Method.MANUAL,
        ends_at=ends_at,
        enrolled_by=enrolled_by,
        now=now,
    )


@transaction.atomic
def self_enrol(course: Course, user) -> Enrolment:
    """Enrols `user` as a learner by self enrolment, until the method's enrolment period ends.

    Raises CourseError when self enrolment is not open or the user is already a learner.
    """
    now = timezone.now()
    setting = method_setting(course, Enrolment.Method.SELF)
    if not setting.enabled:
        raise CourseError(
            _("Self enrolment is not open in %(course)s.") % {"course": course.full_name}
        )
    ends_at = now + timedelta(days=setting.enrolment_days) if setting.enrolment_days else None
    return _enrol(
        course,
        user,
        role=Enrolment.Role.LEARNER,
        method=Enrolment.Method.SELF,
        ends_at=ends_at,
        enrolled_by=user,
        now=now,
    )


@transaction.atomic
def complete_course(enrolment: Enrolment, now=None) -> list:
    """Marks the learner's course complete, awards the course's completion badges and, when it
    newly completes, records the completion in programs and certifications (which complete the
    course sets and programs it finishes and tell the learner).

    Idempotent: a completed enrolment keeps its date and completes nothing more; badges already
    held are not awarded again. Returns the new badge awards. Raises CourseError for a
    trainer's enrolment.
    """
    if enrolment.role != Enrolment.Role.LEARNER:
        raise CourseError(_("Only learners complete a course."))
    return complete_courses([enrolment], now=now)


@transaction.atomic
def complete_courses(enrolments, now=None) -> list:
    """complete_course for many learner enrolments at once (trainers' are left out): a
    constant number of queries per course, then the messages. Returns the new badge awards."""
    # Badges and programs build on courses, not the other way round: imported when needed.
    from features.badges.actions import award_completion_badges
    from features.programs.actions import complete_course_for_users

    enrolments = [e for e in enrolments if e.role == Enrolment.Role.LEARNER]
    if not enrolments:
        return []
    now = now or timezone.now()
    # Locked, then updated: of two calls at once, the second finds them complete.
    newly = set(
        Enrolment.objects.select_for_update()
        .filter(pk__in=[e.pk for e in enrolments], completed_at__isnull=True)
        .values_list("pk", flat=True)
    )
    Enrolment.objects.filter(pk__in=newly).update(completed_at=now)
    by_course: dict[int, list[Enrolment]] = {}
    for enrolment in enrolments:
        if enrolment.pk in newly:
            enrolment.completed_at = now
            by_course.setdefault(enrolment.course_id, []).append(enrolment)
    for group in by_course.values():
        # Programs leave out inactive learners; their progress still reads this enrolment's
        # completion date (latest_completions) whenever it is next updated.
        complete_course_for_users([e.user_id for e in group], group[0].course, now=now)
    return award_completion_badges(enrolments)


# Expiry notices (scheduled)


def _enrollers(enrolment: Enrolment, trainers: dict[int, list[int]]) -> list[int]:
    """Who enrolled the user: the person who did it, or the course's trainers when the user
    enrolled themselves (or the enroller is unknown)."""
    if enrolment.enrolled_by_id and enrolment.enrolled_by_id != enrolment.user_id:
        return [enrolment.enrolled_by_id]
    return [t for t in trainers.get(enrolment.course_id, []) if t != enrolment.user_id]


def notify_expiring_enrolments(now=None) -> dict[str, int]:
    """Sends the expiry notice of every enrolment whose end is within its method's notice period.

    Idempotent: each enrolment is told once per end date (the dedupe key, and
    `expiry_notified_for`); a new end date is notified again. Queries: a constant number plus
    one send per enrolment due.
    """
    now = now or timezone.now()
    methods = {
        (m.course_id, m.method): m
        for m in EnrolmentMethod.objects.filter(enabled=True).exclude(
            expiry_notify=EnrolmentMethod.ExpiryNotify.NONE
        )
    }
    if not methods:
        return {"notified": 0}
    horizon = now + timedelta(days=max(m.notify_days_before for m in methods.values()))
    candidates = (
        Enrolment.objects.filter(
            course_id__in={c for c, _method in methods}, ends_at__gt=now, ends_at__lte=horizon
        )
        .filter(Q(expiry_notified_for__isnull=True) | ~Q(expiry_notified_for=F("ends_at")))
        .select_related("course", "user")
        .order_by("ends_at", "pk")
    )
    due = []
    for enrolment in candidates:
        method = methods.get((enrolment.course_id, enrolment.method))
        if method and enrolment.ends_at <= now + timedelta(days=method.notify_days_before):
            due.append((enrolment, method))
    if not due:
        return {"notified": 0}
    trainers: dict[int, list[int]] = defaultdict(list)
    for course_id, user_id in (
        Enrolment.objects.active(now)
        .trainers()
        .filter(course_id__in={e.course_id for e, _days in due})
        .values_list("course_id", "user_id")
    ):
        trainers[course_id].append(user_id)
    notified = 0
    for enrolment, method in due:
        recipients = _enrollers(enrolment, trainers)
        if method.expiry_notify == EnrolmentMethod.ExpiryNotify.ENROLLER_AND_USER:
            recipients.append(enrolment.user_id)
        with transaction.atomic():
            if recipients:
                notifications.send(
                    EXPIRY_KEYS[enrolment.method],
                    recipients,
                    context={
                        "course": enrolment.course.full_name,
                        "learner": enrolment.user.display_name,
                        "expiry_date": enrolment.ends_at,
                    },
                    url=enrolment.course.get_absolute_url(),
                    about=[enrolment.course],
                    dedupe_key=(
                        f"courses:enrolment:{enrolment.pk}:expiry:{enrolment.ends_at.date()}"
                    ),
                )
                notified += 1
            Enrolment.objects.filter(pk=enrolment.pk).update(expiry_notified_for=enrolment.ends_at)
    return {"notified": notified}


# Course requests


def course_request_recipients():
    """Who is told of a new course request: the configured people, else the site admins."""
    User = get_user_model()
    # Only people who can approve it in the admin, which the notice links.
    configured = CourseRequestRecipient.objects.filter(
        user__is_active=True,
        user__is_staff=True,
        user__in=User.objects.with_perm("courses.change_courserequest"),
    ).values("user_id")
    if configured.exists():
        return User.objects.filter(pk__in=configured)
    return User.objects.filter(is_superuser=True, is_active=True)


def _check_short_name(short_name: str, exclude_request: int | None = None) -> None:
    if Course.objects.filter(short_name__iexact=short_name).exists():
        raise CourseError(
            _("A course with the short name %(short_name)s exists.") % {"short_name": short_name},
            "short_name",
        )
    pending = CourseRequest.objects.filter(
        short_name__iexact=short_name, status=CourseRequest.Status.PENDING
    )
    if exclude_request:
        pending = pending.exclude(pk=exclude_request)
    if pending.exists():
        raise CourseError(
            _("A course named %(short_name)s has been requested already.")
            % {"short_name": short_name},
            "short_name",
        )


@transaction.atomic
def request_course(
    requester, *, full_name: str, short_name: str, summary: str = "", reason: str = ""
) -> CourseRequest:
    """Records a request for a new course and tells the configured recipients.

    Raises CourseError (nothing saved) for an empty name or a short name already in use.
    """
    full_name, short_name = full_name.strip(), short_name.strip()
    if not full_name:
        raise CourseError(_("Give the course a full name."), "full_name")
    if not short_name:
        raise CourseError(_("Give the course a short name."), "short_name")
    _check_short_name(short_name)
    course_request = CourseRequest.objects.create(
        requester=requester,
        full_name=full_name,
        short_name=short_name,
        summary=summary.strip(),
        reason=reason.strip(),
    )
    notifications.send(
        "courses.request_created",
        course_request_recipients(),
        context={
            "course": full_name,
            "requester": requester.display_name,
            "reason": course_request.reason,
        },
        sender=requester,
        url=f"/admin/courses/courserequest/{course_request.pk}/change/",
    )
    return course_request


def _pending(course_request: CourseRequest) -> CourseRequest:
    locked = CourseRequest.objects.select_for_update().select_related("requester")
    course_request = locked.get(pk=course_request.pk)
    if course_request.status != CourseRequest.Status.PENDING:
        raise CourseError(
            _("The request for %(course_request)s was %(status)s already.")
            % {"course_request": course_request.full_name, "status": course_request.status}
        )
    return course_request


@transaction.atomic
def approve_course_request(course_request: CourseRequest, reviewer) -> Course:
    """Creates the requested course with the requester as its trainer, and tells them.

    Raises CourseError when the request was reviewed already or its short name is now taken.
    """
    course_request = _pending(course_request)
    _check_short_name(course_request.short_name, exclude_request=course_request.pk)
    now = timezone.now()
    course = Course.objects.create(
        full_name=course_request.full_name,
        short_name=course_request.short_name,
        summary=course_request.summary,
        created_by=course_request.requester,
        created_at=now,
    )
    Enrolment.objects.create(
        course=course,
        user=course_request.requester,
        role=Enrolment.Role.TRAINER,
        enrolled_by=reviewer,
        starts_at=now,
    )
    CourseRequest.objects.filter(pk=course_request.pk).update(
        status=CourseRequest.Status.APPROVED, reviewed_by=reviewer, reviewed_at=now, course=course
    )
    notifications.send(
        "courses.request_approved",
        [course_request.requester],
        context={"course": course.full_name},
        sender=reviewer,
        url=course.get_absolute_url(),
    )
    return course


@transaction.atomic
def reject_course_request(course_request: CourseRequest, reviewer, reason: str = "") -> None:
    """Rejects the request and tells the requester why. Raises CourseError if already reviewed."""
    course_request = _pending(course_request)
    CourseRequest.objects.filter(pk=course_request.pk).update(
        status=CourseRequest.Status.REJECTED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
        rejection_reason=reason.strip(),
    )
    notifications.send(
        "courses.request_rejected",
        [course_request.requester],
        context={"course": course_request.full_name, "reason": reason.strip()},
        sender=reviewer,
        url="/courses/request/",
    )
