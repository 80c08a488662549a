"""Muting pages: the confirmation an email's "Mute" link opens, muting from an alert or a task,
and unmuting from the preferences page. notifications.muting holds the rules."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from notifications import muting
from notifications.views import next_url


@login_required
@require_http_methods(["GET", "POST"])
def mute(request):
    """GET `?event=<id>&subject=<key>` asks to confirm (an email's link lands here); POST with
    `event`, `subject`, `hide_web` (checkbox) and `next` mutes. A subject the user may not mute
    answers 400 with the reason and changes nothing."""
    data = request.POST if request.method == "POST" else request.GET
    key, event_id = data.get("subject", ""), data.get("event")
    try:
        label = muting.label_for(request.user, key, event_id)
    except muting.MuteError as error:
        return render(request, "notifications/mute.html", {"error": str(error)}, status=400)
    if request.method == "GET":
        existing = muting.is_muted(request.user, key)
        return render(
            request,
            "notifications/mute.html",
            {
                "label": label,
                "subject": key,
                "event_id": event_id,
                "existing": existing,
                "next": next_url(request, reverse("messaging-preferences") + "#muted"),
            },
        )
    muting.mute(request.user, key, event_id=event_id, hide_web="hide_web" in request.POST)
    messages.success(
        request,
        _("%(name)s is muted: nothing from it will be emailed or pushed to you.") % {"name": label},
    )
    return redirect(next_url(request, reverse("messaging-preferences") + "#muted"))


@login_required
@require_http_methods(["POST"])
def unmute(request, mute_id: int):
    """Removes one of the user's mutes; someone else's (or none) answers 404."""
    if not muting.unmute(request.user, mute_id):
        raise Http404(_("No such mute."))
    messages.success(request, _("Unmuted: its messages reach you as your settings say."))
    return redirect(next_url(request, reverse("messaging-preferences") + "#muted"))
