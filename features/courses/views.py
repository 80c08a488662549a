"""Course pages: my courses, a course with its activities, self enrolment, course requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from features.courses import actions
from features.courses.forms import CourseRequestForm
from features.courses.models import Course, CourseRequest, Enrolment


@login_required
def my_courses(request):
    enrolments = (
        Enrolment.objects.active()
        .filter(user=request.user)
        .select_related("course")
        .order_by("course__full_name", "role")
    )
    return render(request, "courses/my_courses.html", {"enrolments": enrolments})


@login_required
def course_page(request, course_id: int):
    """Members and staff see the activities; others see the course only while self enrolment
    is open (to enrol); anyone else gets 404."""
    course = get_object_or_404(Course, pk=course_id)
    roles = set(
        Enrolment.objects.active()
        .filter(course=course, user=request.user)
        .values_list("role", flat=True)
    )
    self_method = actions.method_setting(course, Enrolment.Method.SELF)
    member = bool(roles) or request.user.is_staff
    # A former member (an enrolment that expired or was ended) and whoever enrolled someone
    # see the course's page without its activities: the expiry notices link here.
    involved = (
        set()
        if member
        else set(
            Enrolment.objects.filter(Q(user=request.user) | Q(enrolled_by=request.user))
            .filter(course=course)
            .values_list("user_id", flat=True)
        )
    )
    former = request.user.pk in involved
    if not (member or involved or self_method.enabled):
        raise Http404("No such course.")
    context = {
        "course": course,
        "former": former,
        "is_trainer": Enrolment.Role.TRAINER in roles,
        "is_learner": Enrolment.Role.LEARNER in roles,
        "member": member,
        "can_self_enrol": self_method.enabled and Enrolment.Role.LEARNER not in roles,
        "self_method": self_method,
    }
    if member:
        context["assignments"] = list(course.assignments.order_by("name"))
        context["quizzes"] = list(course.quizzes.order_by("name"))
        context["feedback_activities"] = list(course.feedback_activities.order_by("name"))
        context["trainers"] = list(
            Enrolment.objects.active()
            .trainers()
            .filter(course=course)
            .select_related("user")
            .order_by("user__full_name")
        )
    return render(request, "courses/course.html", context)


@login_required
@require_POST
def enrol_self(request, course_id: int):
    course = get_object_or_404(Course, pk=course_id)
    if not actions.method_setting(course, Enrolment.Method.SELF).enabled:
        raise Http404("No such course open for enrolment.")
    try:
        actions.self_enrol(course, request.user)
    except actions.CourseError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("You are enrolled in %(course)s.") % {"course": course.full_name}
        )
    return redirect(course.get_absolute_url())


@login_required
def request_course(request):
    form = CourseRequestForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                actions.request_course(request.user, **form.cleaned_data)
            except actions.CourseError as error:
                form.add_error(error.field, str(error))
            else:
                messages.success(
                    request, _("Your request is sent. You will get an email when it is reviewed.")
                )
                return redirect("courses:request")
        status = 400
    requests = CourseRequest.objects.filter(requester=request.user).select_related("course")
    return render(
        request, "courses/request.html", {"form": form, "requests": requests}, status=status
    )
