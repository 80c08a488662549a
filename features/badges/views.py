"""Badge pages: my badges, one award, and a badge's page where it is awarded by hand."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from features.badges import actions
from features.badges.models import Award, Badge
from features.courses.models import Enrolment


@login_required
def my_badges(request):
    awards = Award.objects.filter(user=request.user).select_related("badge", "badge__course")
    return render(request, "badges/my_badges.html", {"awards": awards})


@login_required
def award_page(request, award_id: int):
    award = get_object_or_404(
        Award.objects.select_related("badge", "badge__course", "awarded_by"),
        pk=award_id,
        user=request.user,
    )
    return render(request, "badges/award.html", {"award": award})


def _candidates(badge: Badge):
    """Who can be given this badge: the course's learners without it, for a course badge."""
    User = get_user_model()
    if badge.course_id is None:
        return User.objects.none()
    learners = Enrolment.objects.learners().filter(course_id=badge.course_id).values("user_id")
    held = Award.objects.filter(badge=badge).values("user_id")
    return User.objects.filter(pk__in=learners, is_active=True).exclude(pk__in=held)


@login_required
def badge_page(request, badge_id: int):
    """The badge's holders and, for a manual badge, a form to award it. For those who may
    award it (staff, its creator, its course's trainers); 404 for anyone else."""
    badge = get_object_or_404(Badge.objects.select_related("course", "created_by"), pk=badge_id)
    if not actions.can_award(request.user, badge):
        raise Http404("No such badge.")
    error = None
    status = 200
    if request.method == "POST":
        User = get_user_model()
        if badge.course_id:
            user = User.objects.filter(pk=request.POST.get("user") or 0).first()
        else:
            user = User.objects.filter(username=request.POST.get("username", "").strip()).first()
        try:
            if user is None:
                raise actions.BadgeError(_("Choose who receives the badge."))
            actions.award_badge(badge, user, request.user)
        except actions.BadgeError as problem:
            error, status = str(problem), 400
        else:
            messages.success(
                request,
                _("%(badge)s is awarded to %(user)s.")
                % {"badge": badge.name, "user": user.display_name},
            )
            return redirect(badge.get_absolute_url())
    awards = badge.awards.select_related("user", "awarded_by")
    return render(
        request,
        "badges/badge.html",
        {
            "badge": badge,
            "awards": awards,
            "candidates": _candidates(badge),
            "manual": badge.criterion == Badge.Criterion.MANUAL,
            "error": error,
        },
        status=status,
    )
