"""What admins, learners and managers do with programs (and certifications' programs), and the
messages each change sends. Views, admin, handlers, demo and jobs call these."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

import notifications
from features.courses.models import Course, Enrolment
from features.job_assignments.models import managers_of, team_of
from features.programs.models import (
    Assignment,
    AssignmentException,
    CourseCompletion,
    CourseSet,
    CourseSetProgress,
    ExtensionRequest,
    MessageSetting,
    Program,
    Source,
)
from features.programs.notices import MY_LEARNING, Notice, message_settings, notify

Message = MessageSetting.Message
REASON_MAX = 2000
NAMES_IN_REPORT = 10


class ProgramError(ValueError):
    """A change that cannot be made; the message says why, and nothing was changed."""


@dataclass
class AssignResult:
    """What assign_users() did with each user."""

    assigned: list[Assignment] = field(default_factory=list)
    exceptions: list[AssignmentException] = field(default_factory=list)
    unchanged: list[Assignment] = field(default_factory=list)


def _cycle_start(assignment: Assignment) -> datetime.datetime:
    return assignment.cycle_started_at or assignment.assigned_at


def _course_set_due(course_set: CourseSet, assignment: Assignment):
    """A course set with a time allowance is due that many days into the cycle (never after
    the program); one without is due with the program."""
    if course_set.time_allowance_days is None:
        return assignment.due_at
    due = _cycle_start(assignment) + datetime.timedelta(days=course_set.time_allowance_days)
    if assignment.due_at and due > assignment.due_at:
        return assignment.due_at
    return due


# Assigning


@transaction.atomic
def assign_users(
    program: Program,
    user_ids: Iterable,
    *,
    due_at: datetime.datetime | None = None,
    source: str = Source.INDIVIDUAL,
    source_id: int | None = None,
    actor=None,
    now=None,
) -> AssignResult:
    """Assigns users (or user ids) to the program, due at `due_at` (or never).

    The one entry point of every way to assign: individually, a manager's team (assign_team),
    and audiences (`assign_users(program, member_ids, source=Source.AUDIENCE,
    source_id=audience.pk, due_at=...)`). Each newly assigned learner gets the enrolment message.

    Assignments that cannot go ahead are recorded as exceptions and reported to site admins,
    never dropped: a due date already past makes the assignment wait for an admin; a learner
    already assigned from another source keeps their assignment and the request is recorded.
    Assigning again from the same source changes nothing (so a source may re-send everyone).

    Raises ProgramError, changing nothing, for unknown or inactive users or a bad source.
    """
    now = now or timezone.now()
    ids = sorted({getattr(u, "pk", u) for u in user_ids})
    if source not in Source.values:
        raise ProgramError(_("Unknown assignment source %(source)s.") % {"source": repr(source)})
    if source != Source.INDIVIDUAL and source_id is None:
        raise ProgramError(_("Say which manager or audience the assignment comes from."))
    users = get_user_model().objects.filter(is_active=True).in_bulk(ids)
    unknown = [i for i in ids if i not in users]
    if unknown:
        raise ProgramError(
            _("No active user with id %(unknown)s.") % {"unknown": ", ".join(map(str, unknown))}
        )
    # One assignment run per program at a time, so a learner cannot be assigned twice at once.
    program = Program.objects.select_for_update().get(pk=program.pk)
    existing = {
        a.user_id: a for a in Assignment.objects.current().filter(program=program, user_id__in=ids)
    }
    already_reported = set(
        AssignmentException.objects.filter(
            program=program,
            kind=AssignmentException.Kind.DUPLICATE,
            resolved_at__isnull=True,
            user_id__in=list(existing),
            source=source,
            source_id=source_id,
        ).values_list("user_id", flat=True)
    )
    result = AssignResult()
    waiting: list[Assignment] = []
    for user_id in ids:
        current = existing.get(user_id)
        if current is not None:
            same_source = (current.source, current.source_id) == (source, source_id)
            if same_source or user_id in already_reported:
                result.unchanged.append(current)
            else:
                result.exceptions.append(
                    AssignmentException(
                        program=program,
                        user=users[user_id],
                        assignment=current,
                        kind=AssignmentException.Kind.DUPLICATE,
                        requested_due_at=due_at,
                        source=source,
                        source_id=source_id,
                        raised_at=now,
                    )
                )
            continue
        assignment = Assignment(
            program=program,
            user=users[user_id],
            source=source,
            source_id=source_id,
            assigned_by=actor,
            assigned_at=now,
            due_at=due_at,
        )
        if due_at is not None and due_at <= now:
            assignment.status = Assignment.Status.EXCEPTION
            waiting.append(assignment)
        else:
            result.assigned.append(assignment)
    Assignment.objects.bulk_create(waiting + result.assigned)
    result.exceptions += [
        AssignmentException(
            program=program,
            user=a.user,
            assignment=a,
            kind=AssignmentException.Kind.PAST_DUE,
            requested_due_at=due_at,
            source=source,
            source_id=source_id,
            raised_at=now,
        )
        for a in waiting
    ]
    AssignmentException.objects.bulk_create(result.exceptions)
    _start(program, result.assigned, actor=actor, now=now)
    _report_exceptions(program, result.exceptions)
    return result


def assign_team(program: Program, manager, *, due_at=None, actor=None, now=None) -> AssignResult:
    """Assigns everyone the manager manages now (directly or as temporary manager)."""
    team = team_of(manager.pk)
    if not team:
        raise ProgramError(_("%(manager)s manages nobody.") % {"manager": manager.display_name})
    return assign_users(
        program,
        team,
        due_at=due_at,
        source=Source.MANAGER_TEAM,
        source_id=manager.pk,
        actor=actor,
        now=now,
    )


def assign_audience(program: Program, audience, *, due_at=None, actor=None, now=None):
    """Assigns every member of the audience now; running it again assigns only newcomers."""
    from features.audiences.models import members_of

    members = members_of(audience)
    if not members:
        raise ProgramError(_("The audience %(audience)s has no members.") % {"audience": audience})
    return assign_users(
        program,
        members,
        due_at=due_at,
        source=Source.AUDIENCE,
        source_id=audience.pk,
        actor=actor,
        now=now,
    )


def _start(program: Program, assignments: list[Assignment], *, actor=None, now) -> None:
    """Creates the progress rows of newly active assignments, tells the learners, and counts
    the courses they completed before."""
    if not assignments:
        return
    course_sets = list(program.course_sets.all())
    CourseSetProgress.objects.bulk_create(
        [
            CourseSetProgress(assignment=a, course_set=cs, due_at=_course_set_due(cs, a))
            for a in assignments
            for cs in course_sets
        ]
    )
    notify(
        Message.ENROLMENT,
        [Notice(a, a.assigned_at, {"due_date": a.due_at}) for a in assignments],
        sender=actor,
    )
    update_progress(assignments, now=now)


def _report_exceptions(program: Program, exceptions: list[AssignmentException]) -> None:
    """Tells site admins, one alert per kind of exception however many learners it holds."""
    if not exceptions:
        return
    setting = message_settings([program.pk])[program.pk][Message.EXCEPTION_REPORT]
    if not setting.enabled:
        return
    admins = get_user_model().objects.filter(is_superuser=True, is_active=True)
    by_kind: dict[str, list[AssignmentException]] = defaultdict(list)
    for exception in exceptions:
        by_kind[exception.kind].append(exception)
    for kind, group in by_kind.items():
        names = sorted(e.user.display_name for e in group)
        if kind == AssignmentException.Kind.PAST_DUE:
            due = timezone.localtime(group[0].requested_due_at)
            what = f"the due date {due:%d %B %Y %H:%M} has already passed"
        else:
            what = "the learner is already assigned to it from another source"
        if len(group) > 1:
            shown = ", ".join(names[:NAMES_IN_REPORT])
            more = len(names) - NAMES_IN_REPORT
            what += f" ({len(group)} learners: {shown}{f' and {more} more' if more > 0 else ''})"
        notifications.send(
            program.key(Message.EXCEPTION_REPORT),
            admins,
            context={
                program.noun: program.name,
                "exception": what,
                "learner": names[0] if len(group) == 1 else None,
            },
            url=f"/admin/programs/assignmentexception/?program__id__exact={program.pk}",
            templates={"subject": setting.subject, "body": setting.body},
        )


@transaction.atomic
def unassign_users(program: Program, user_ids: Iterable, *, actor=None, now=None) -> int:
    """Removes these learners from the program and tells those who were taking part.

    Their open exceptions are dismissed and pending extension requests cancelled. Users who are
    not assigned are ignored. Returns how many assignments were removed.
    """
    now = now or timezone.now()
    ids = [getattr(u, "pk", u) for u in user_ids]
    assignments = list(
        Assignment.objects.current()
        .filter(program=program, user_id__in=ids)
        .select_for_update(of=("self",))
        .select_related("program", "user")
    )
    if not assignments:
        return 0
    pks = [a.pk for a in assignments]
    told = [a for a in assignments if a.status == Assignment.Status.ACTIVE]
    Assignment.objects.filter(pk__in=pks).update(status=Assignment.Status.REMOVED, removed_at=now)
    AssignmentException.objects.filter(assignment_id__in=pks, resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor, resolution=AssignmentException.Resolution.DISMISS
    )
    ExtensionRequest.objects.filter(
        assignment_id__in=pks, status=ExtensionRequest.Status.PENDING
    ).update(status=ExtensionRequest.Status.CANCELLED, decided_at=now)
    notify(Message.UNENROLMENT, [Notice(a, now) for a in told], sender=actor)
    return len(assignments)


def _move_due_date(assignment: Assignment, due_at) -> None:
    assignment.due_at = due_at
    assignment.save(update_fields=["due_at"])
    progress = list(
        assignment.course_set_progress.filter(completed_at__isnull=True).select_related(
            "course_set"
        )
    )
    for row in progress:
        row.due_at = _course_set_due(row.course_set, assignment)
    CourseSetProgress.objects.bulk_update(progress, ["due_at"])


@transaction.atomic
def set_due_date(assignment: Assignment, due_at, *, actor=None, now=None) -> Assignment:
    """Moves an active assignment's due date (and its course sets'); an admin's correction.

    Raises ProgramError for a date in the past or an assignment that is not active.
    """
    now = now or timezone.now()
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.status != Assignment.Status.ACTIVE:
        raise ProgramError(_("Only an active assignment's due date can change."))
    if due_at is not None and due_at <= now:
        raise ProgramError(_("The due date must be in the future."))
    _move_due_date(assignment, due_at)
    return assignment


@transaction.atomic
def resolve_exception(
    exception: AssignmentException, resolution: str, *, actor=None, due_at=None, now=None
) -> AssignmentException:
    """Resolves an exception from the exception report.

    Past due date: `assign` starts the assignment anyway (it is overdue at once), `set_due`
    starts it with a new future `due_at`, `dismiss` removes the waiting assignment.
    Duplicate: `assign` gives the existing assignment the requested due date, `set_due` gives it
    `due_at`, `dismiss` keeps it as it is. Raises ProgramError, changing nothing, if it is
    already resolved or the date is not in the future.
    """
    now = now or timezone.now()
    exception = (
        AssignmentException.objects.select_for_update(of=("self",))
        .select_related("assignment__program", "assignment__user")
        .get(pk=exception.pk)
    )
    if exception.resolved_at is not None:
        raise ProgramError(_("This exception is already resolved."))
    if resolution not in AssignmentException.Resolution.values:
        raise ProgramError(
            _("Unknown resolution %(resolution)s.") % {"resolution": repr(resolution)}
        )
    if resolution == AssignmentException.Resolution.SET_DUE and (due_at is None or due_at <= now):
        raise ProgramError(_("Choose a due date in the future."))
    assignment = exception.assignment
    if exception.kind == AssignmentException.Kind.PAST_DUE:
        if assignment.status != Assignment.Status.EXCEPTION:
            raise ProgramError(_("The assignment is no longer waiting on this exception."))
        if resolution == AssignmentException.Resolution.DISMISS:
            assignment.status = Assignment.Status.REMOVED
            assignment.removed_at = now
            assignment.save(update_fields=["status", "removed_at"])
        else:
            if resolution == AssignmentException.Resolution.SET_DUE:
                assignment.due_at = due_at
            assignment.status = Assignment.Status.ACTIVE
            assignment.assigned_at = now
            assignment.save(update_fields=["status", "due_at", "assigned_at"])
            _start(assignment.program, [assignment], actor=actor, now=now)
    elif resolution != AssignmentException.Resolution.DISMISS:
        if assignment.status != Assignment.Status.ACTIVE:
            raise ProgramError(_("Resolve the learner's other exception first."))
        new_due = due_at if resolution == AssignmentException.Resolution.SET_DUE else None
        if resolution == AssignmentException.Resolution.ASSIGN:
            new_due = exception.requested_due_at
            if new_due is not None and new_due <= now:
                raise ProgramError(_("The requested due date has passed; set a new one."))
        _move_due_date(assignment, new_due)
    exception.resolved_at = now
    exception.resolved_by = actor
    exception.resolution = resolution
    exception.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    return exception


# Progress


@transaction.atomic
def complete_course(user, course: Course, *, now=None) -> list[Assignment]:
    """Records that the learner completed the course, then completes the course sets and
    programs (and certifications) this finishes, telling the learner (and managers).

    Each call is a completion (a certification's new cycle needs new ones). Returns the
    assignments completed by it. Raises ProgramError for an inactive user.
    """
    if not user.is_active:
        raise ProgramError(_("%(user)s is not an active user.") % {"user": user.display_name})
    return complete_course_for_users([user.pk], course, now=now)


@transaction.atomic
def complete_course_for_users(user_ids, course: Course, *, now=None) -> list[Assignment]:
    """complete_course for many learners at once (inactive ones are left out): a constant
    number of queries, then the messages of what it completes."""
    now = now or timezone.now()
    user_ids = list(
        get_user_model()
        .objects.filter(pk__in=list(user_ids), is_active=True)
        .values_list("pk", flat=True)
    )
    if not user_ids:
        return []
    CourseCompletion.objects.bulk_create(
        [CourseCompletion(user_id=u, course=course, completed_at=now) for u in user_ids]
    )
    assignments = list(
        Assignment.objects.active()
        .incomplete()
        .filter(user_id__in=user_ids, program__course_sets__courses=course)
        .distinct()
        .select_related("program", "user")
    )
    return update_progress(assignments, now=now)


def latest_completions(user_ids, course_ids) -> dict[tuple[int, int], datetime.datetime]:
    """The latest completion of each (learner, course): programs' records and course
    enrolments' completion dates. Two queries."""
    latest: dict[tuple[int, int], datetime.datetime] = {}
    rows = list(
        CourseCompletion.objects.filter(user_id__in=user_ids, course_id__in=course_ids)
        .values("user_id", "course_id")
        .annotate(at=Max("completed_at"))
        .values_list("user_id", "course_id", "at")
    )
    rows += list(
        Enrolment.objects.learners()
        .filter(user_id__in=user_ids, course_id__in=course_ids, completed_at__isnull=False)
        .values_list("user_id", "course_id", "completed_at")
    )
    for user_id, course_id, at in rows:
        key = (user_id, course_id)
        if key not in latest or at > latest[key]:
            latest[key] = at
    return latest


def update_progress(assignments: list[Assignment], *, now=None) -> list[Assignment]:
    """Completes the course sets and programs that the learners' course completions finish.

    For active, incomplete assignments with `program` and `user` loaded. A constant number of
    queries, then the messages: courseset_completed, completed. Returns the completed ones.
    """
    now = now or timezone.now()
    assignments = [
        a for a in assignments if a.status == Assignment.Status.ACTIVE and a.completed_at is None
    ]
    if not assignments:
        return []
    by_id = {a.pk: a for a in assignments}
    progress = list(
        CourseSetProgress.objects.filter(assignment_id__in=list(by_id)).select_related("course_set")
    )
    courses_of: dict[int, set[int]] = defaultdict(set)
    for set_id, course_id in CourseSet.courses.through.objects.filter(
        courseset_id__in={p.course_set_id for p in progress}
    ).values_list("courseset_id", "course_id"):
        courses_of[set_id].add(course_id)
    done = latest_completions(
        {a.user_id for a in assignments}, {c for cs in courses_of.values() for c in cs}
    )
    finished_sets: list[CourseSetProgress] = []
    rows_of: dict[int, list[CourseSetProgress]] = defaultdict(list)
    for row in progress:
        rows_of[row.assignment_id].append(row)
        if row.completed_at is not None:
            continue
        assignment = by_id[row.assignment_id]
        since = assignment.cycle_started_at
        courses = courses_of[row.course_set_id]
        completed = {
            c
            for c in courses
            if (at := done.get((assignment.user_id, c))) and (since is None or at >= since)
        }
        if row.course_set.completion == CourseSet.Completion.ANY:
            finished = bool(completed)
        else:
            finished = bool(courses) and completed == courses
        if finished:
            row.completed_at = now
            finished_sets.append(row)
    CourseSetProgress.objects.bulk_update(finished_sets, ["completed_at"])
    completed = [
        a
        for a in assignments
        if rows_of[a.pk] and all(r.completed_at is not None for r in rows_of[a.pk])
    ]
    for assignment in completed:
        assignment.completed_at = now
    Assignment.objects.bulk_update(completed, ["completed_at"])
    expiries = {}
    certified = [a for a in completed if a.program.kind == Program.Kind.CERTIFICATION]
    if certified:
        # Certifications build on programs: completing a certification's program certifies the
        # learner, which is theirs to record (and gives the expiry date the message names).
        from features.certifications.actions import certify

        expiries = certify(certified, now=now)
    notify(
        Message.COURSESET_COMPLETED,
        [
            Notice(
                by_id[r.assignment_id],
                _cycle_start(by_id[r.assignment_id]),
                {"course_set": r.course_set.name},
                course_set_id=r.course_set_id,
            )
            for r in finished_sets
        ],
    )
    notify(
        Message.COMPLETED,
        [
            Notice(
                a,
                _cycle_start(a),
                {"expiry_date": expiries.get(a.pk)}
                if a.program.kind == Program.Kind.CERTIFICATION
                else {"completion_date": now},
            )
            for a in completed
        ],
    )
    return completed


def start_new_cycle(assignments: list[Assignment], *, now) -> None:
    """Resets progress: course completions before now stop counting, course sets and the
    program are incomplete again, course sets due afresh from now. For certifications, whose
    caller sets each assignment's new `due_at` first."""
    if not assignments:
        return
    for assignment in assignments:
        assignment.cycle_started_at = now
        assignment.completed_at = None
    Assignment.objects.bulk_update(assignments, ["cycle_started_at", "completed_at", "due_at"])
    by_id = {a.pk: a for a in assignments}
    progress = list(
        CourseSetProgress.objects.filter(assignment_id__in=list(by_id)).select_related("course_set")
    )
    for row in progress:
        row.completed_at = None
        row.due_at = _course_set_due(row.course_set, by_id[row.assignment_id])
    CourseSetProgress.objects.bulk_update(progress, ["completed_at", "due_at"])


# Extension requests


def _local(user) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


@transaction.atomic
def request_extension(
    assignment: Assignment, user, requested_date: datetime.date, reason: str = "", *, now=None
) -> ExtensionRequest:
    """The learner asks their managers (and temporary manager) to move their due date to
    `requested_date` (same time of day, in the learner's time zone); they get a task.

    Raises ProgramError, changing nothing, if the assignment is not the user's, cannot be
    extended, already has a pending request, the date is not after today and the current due
    date, or the learner has no manager.
    """
    now = now or timezone.now()
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("program", "user")
        .get(pk=assignment.pk)
    )
    program = assignment.program
    if assignment.user_id != user.pk:
        raise ProgramError(
            _("You can only ask for an extension of your own certification.")
            if program.kind == Program.Kind.CERTIFICATION
            else _("You can only ask for an extension of your own program.")
        )
    if assignment.status != Assignment.Status.ACTIVE or assignment.completed_at is not None:
        raise ProgramError(
            _("This certification is not in progress, so it cannot be extended.")
            if program.kind == Program.Kind.CERTIFICATION
            else _("This program is not in progress, so it cannot be extended.")
        )
    if not program.allow_extension_requests:
        raise ProgramError(
            _("This certification does not allow extension requests.")
            if program.kind == Program.Kind.CERTIFICATION
            else _("This program does not allow extension requests.")
        )
    if assignment.due_at is None:
        raise ProgramError(
            _("This certification has no due date to extend.")
            if program.kind == Program.Kind.CERTIFICATION
            else _("This program has no due date to extend.")
        )
    if not isinstance(requested_date, datetime.date):
        raise ProgramError(_("Enter the date you need, e.g. 2030-12-31."))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ProgramError(_("Keep the reason under %(max)s characters.") % {"max": REASON_MAX})
    tz = _local(assignment.user)
    due_local = assignment.due_at.astimezone(tz)
    if requested_date <= now.astimezone(tz).date():
        raise ProgramError(_("That date has already passed; choose a date in the future."))
    if requested_date <= due_local.date():
        raise ProgramError(
            _(
                "Choose a date after the current due date (%(due_local)s); an extension moves "
                "the due date later."
            )
            % {"due_local": date_format(due_local, "j F Y")}
        )
    if assignment.extension_requests.filter(status=ExtensionRequest.Status.PENDING).exists():
        raise ProgramError(_("You have already asked for an extension; wait for the answer."))
    managers = sorted(managers_of([assignment.user_id], now=now)[assignment.user_id])
    if not managers:
        raise ProgramError(_("You have no manager to ask; please contact your administrator."))
    requested_due_at = datetime.datetime.combine(requested_date, due_local.timetz())
    extension = ExtensionRequest.objects.create(
        assignment=assignment,
        current_due_at=assignment.due_at,
        requested_due_at=requested_due_at,
        reason=reason,
        created_at=now,
    )
    notifications.send(
        program.key("extension_request"),
        managers,
        context={
            program.noun: program.name,
            "learner": assignment.user.display_name,
            "due_date": assignment.due_at,
            "extension_date": requested_due_at,
            "reason": reason or None,
        },
        sender=assignment.user,
        url="/tasks/",
        data={"request_id": extension.pk},
        audience="manager",
        dedupe_key=f"{program.feature}:extension:{extension.pk}",
    )
    return extension


def _pending(extension_id: int, actor) -> ExtensionRequest:
    extension = (
        ExtensionRequest.objects.select_for_update(of=("self",))
        .select_related("assignment__program", "assignment__user")
        .get(pk=extension_id)
    )
    if extension.status != ExtensionRequest.Status.PENDING:
        raise ProgramError(
            _("This request was already %(status)s.")
            % {"status": extension.get_status_display().lower()}
        )
    assignment = extension.assignment
    if assignment.status != Assignment.Status.ACTIVE:
        raise ProgramError(
            _("The learner is no longer assigned to this certification.")
            if assignment.program.kind == Program.Kind.CERTIFICATION
            else _("The learner is no longer assigned to this program.")
        )
    managers = managers_of([assignment.user_id])[assignment.user_id]
    if actor.pk not in managers and not actor.is_superuser:
        raise ProgramError(_("Only the learner's manager can answer this request."))
    return extension


@transaction.atomic
def grant_extension(extension: ExtensionRequest, actor, comment: str = "", *, now=None):
    """The manager accepts: the due date (and course sets due with it) moves to the requested
    date and the learner is told. Raises ProgramError if it is no longer pending, the learner is
    no longer assigned, or the actor is not their manager."""
    now = now or timezone.now()
    extension = _pending(extension.pk, actor)
    assignment = extension.assignment
    extension.status = ExtensionRequest.Status.GRANTED
    extension.decided_by = actor
    extension.decided_at = now
    extension.comment = comment
    extension.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    _move_due_date(assignment, extension.requested_due_at)
    program = assignment.program
    notifications.send(
        program.key("extension_granted"),
        [assignment.user],
        context={
            program.noun: program.name,
            "extension_date": extension.requested_due_at,
            "comment": comment or None,
        },
        sender=actor,
        url=MY_LEARNING,
        dedupe_key=f"{program.feature}:extension:{extension.pk}:granted",
    )
    return extension


@transaction.atomic
def decline_extension(extension: ExtensionRequest, actor, reason: str = "", *, now=None):
    """The manager declines: the due date stays and the learner is told why. Raises
    ProgramError as grant_extension does."""
    now = now or timezone.now()
    extension = _pending(extension.pk, actor)
    assignment = extension.assignment
    extension.status = ExtensionRequest.Status.DECLINED
    extension.decided_by = actor
    extension.decided_at = now
    extension.comment = reason
    extension.save(update_fields=["status", "decided_by", "decided_at", "comment"])
    program = assignment.program
    notifications.send(
        program.key("extension_declined"),
        [assignment.user],
        context={
            program.noun: program.name,
            "due_date": assignment.due_at,
            "reason": reason or None,
        },
        sender=actor,
        url=MY_LEARNING,
        dedupe_key=f"{program.feature}:extension:{extension.pk}:declined",
    )
    return extension
