"""My learning: the learner's programs and certifications, and their extension requests."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from features.programs import actions, queries
from features.programs.forms import ExtensionRequestForm
from features.programs.models import Assignment


def _page(request, forms=None, status=200):
    rows = queries.my_learning(request.user)
    forms = forms or {}
    for row in rows:
        pk = row.assignment.pk
        row.form = forms.get(pk) or ExtensionRequestForm(prefix=f"extension-{pk}")
    return render(request, "programs/my_learning.html", {"rows": rows}, status=status)


@login_required
@require_GET
def my_learning(request):
    return _page(request)


@login_required
@require_POST
def request_extension(request, assignment_id: int):
    assignment = get_object_or_404(
        Assignment.objects.current().select_related("program"),
        pk=assignment_id,
        user=request.user,
    )
    form = ExtensionRequestForm(request.POST, prefix=f"extension-{assignment.pk}")
    if form.is_valid():
        try:
            actions.request_extension(
                assignment, request.user, form.cleaned_data["date"], form.cleaned_data["reason"]
            )
        except actions.ProgramError as error:
            form.add_error("date", str(error))
        else:
            messages.success(
                request,
                _("Your request for an extension of %(program)s was sent to your manager.")
                % {"program": assignment.program.name},
            )
            return redirect("programs:my")
    return _page(request, forms={assignment.pk: form}, status=400)
