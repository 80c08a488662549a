"""A job assignment as the people in it see it: the learner, their manager and stand-in."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from features.job_assignments.models import JobAssignment
from notifications.models import Event


def can_see(user, assignment: JobAssignment, path: str) -> bool:
    """The learner, their manager, the stand-in and staff; also a former stand-in, who keeps
    the page the notice of their assignment linked."""
    people = {assignment.user_id, assignment.manager_id, assignment.temp_manager_id}
    if user.is_staff or user.pk in people:
        return True
    told = Q(inbox_items__recipient=user) | Q(emails__user=user)
    return Event.objects.filter(told, key="job_assignments.temp_manager_updated", url=path).exists()


@login_required
@require_GET
def detail(request, assignment_id: int):
    assignment = get_object_or_404(
        JobAssignment.objects.select_related("user", "manager", "temp_manager"), pk=assignment_id
    )
    if not can_see(request.user, assignment, request.path):
        raise Http404("No such job assignment.")
    return render(request, "job_assignments/detail.html", {"assignment": assignment})
