"""Reads for the My learning page: a learner's programs and certifications with progress."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import F, Prefetch
from django.utils import timezone

from features.programs.actions import latest_completions
from features.programs.models import Assignment, CourseSetProgress, ExtensionRequest


@dataclass
class CourseSetRow:
    name: str
    due_at: object
    completed_at: object
    courses: list[tuple[object, bool]] = field(default_factory=list)


@dataclass
class LearningRow:
    assignment: Assignment
    course_sets: list[CourseSetRow]
    pending: ExtensionRequest | None
    last_answer: ExtensionRequest | None
    certification: object | None

    @property
    def program(self):
        return self.assignment.program

    @property
    def sets_done(self) -> int:
        return sum(1 for s in self.course_sets if s.completed_at)

    @property
    def percent(self) -> int:
        return round(100 * self.sets_done / len(self.course_sets)) if self.course_sets else 0

    @property
    def overdue(self) -> bool:
        a = self.assignment
        return bool(a.due_at and not a.completed_at and a.due_at <= timezone.now())

    @property
    def waiting(self) -> bool:
        return self.assignment.status == Assignment.Status.EXCEPTION

    @property
    def can_request_extension(self) -> bool:
        a = self.assignment
        return bool(
            a.status == Assignment.Status.ACTIVE
            and not a.completed_at
            and a.due_at
            and a.program.allow_extension_requests
            and self.pending is None
        )


def my_learning(user) -> list[LearningRow]:
    """The user's current assignments, due soonest first. Six queries however many."""
    assignments = list(
        Assignment.objects.current()
        .filter(user=user)
        .select_related("program", "certification_state")
        .prefetch_related(
            Prefetch(
                "course_set_progress",
                queryset=CourseSetProgress.objects.select_related("course_set").prefetch_related(
                    "course_set__courses"
                ),
            ),
            Prefetch(
                "extension_requests",
                queryset=ExtensionRequest.objects.order_by("-created_at", "-id"),
            ),
        )
        .order_by(F("completed_at").asc(nulls_first=True), F("due_at").asc(nulls_last=True))
    )
    course_ids = {
        c.pk
        for a in assignments
        for p in a.course_set_progress.all()
        for c in p.course_set.courses.all()
    }
    done = latest_completions([user.pk], course_ids) if course_ids else {}
    rows = []
    for a in assignments:
        since = a.cycle_started_at
        sets = []
        for p in a.course_set_progress.all():
            courses = []
            for course in p.course_set.courses.all():
                at = done.get((user.pk, course.pk))
                courses.append((course, bool(at and (since is None or at >= since))))
            sets.append(CourseSetRow(p.course_set.name, p.due_at, p.completed_at, courses))
        requests = list(a.extension_requests.all())
        pending = next((r for r in requests if r.status == ExtensionRequest.Status.PENDING), None)
        answered = [
            r
            for r in requests
            if r.status in (ExtensionRequest.Status.GRANTED, ExtensionRequest.Status.DECLINED)
        ]
        rows.append(
            LearningRow(
                assignment=a,
                course_sets=sets,
                pending=pending,
                last_answer=answered[0] if answered else None,
                certification=getattr(a, "certification_state", None),
            )
        )
    return rows
