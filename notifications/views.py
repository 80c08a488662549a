"""Messaging preferences and the one-click unsubscribe page."""

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from notifications import flows
from notifications.email import read_unsubscribe_token
from notifications.models import EmailSuppression, MessageType


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    rows = flows.preference_grid(request.user)
    if request.method == "POST":
        changes = []
        for row in rows:
            if row.locked:
                continue
            field = f"{row.key}:{row.output}"
            logged_in = f"{field}:logged_in" in request.POST
            # A type whose email carries a document to keep has one box for both states.
            logged_off = logged_in if row.keeps else f"{field}:logged_off" in request.POST
            if (logged_in, logged_off) != (row.logged_in, row.logged_off):
                changes.append(
                    {
                        "key": row.key,
                        "output": row.output,
                        "logged_in": logged_in,
                        "logged_off": logged_off,
                    }
                )
        try:
            flows.update_preferences(request.user, changes)
        except flows.PreferenceErrors as error:
            messages.error(request, f"Nothing was saved: {error.errors}")
        else:
            flows.set_email_off(request.user, "email_off" in request.POST)
            messages.success(request, "Your messaging preferences are saved.")
        return redirect("messaging-preferences")
    by_type = []
    for (feature_name, key), outputs in groupby(rows, key=lambda r: (r.feature_name, r.key)):
        outputs = {r.output: r for r in outputs}
        first = next(iter(outputs.values()))
        by_type.append(
            {
                "feature_name": feature_name,
                "key": key,
                "name": first.name,
                "description": first.description,
                "outputs": outputs,
            }
        )
    suppression = EmailSuppression.objects.filter(address__iexact=request.user.email).first()
    return render(
        request,
        "notifications/preferences.html",
        {
            "types": by_type,
            "email_off": flows.email_is_off(request.user),
            "suppression": suppression,
        },
    )


@csrf_exempt  # mail clients POST here without a session (RFC 8058 one-click)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    try:
        user_id, key = read_unsubscribe_token(token)
        message_type = MessageType.objects.get(key=key)
    except (signing.BadSignature, MessageType.DoesNotExist, ValueError, KeyError):
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    state = None
    if request.method == "POST":
        undo = request.POST.get("undo") == "1"
        state = flows.unsubscribe(user_id, key, undo=undo)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"message_type": message_type, "state": state, "token": token},
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_inbound(request, token: str):
    """The user confirms that a held reply by email was theirs."""
    from notifications import inbound

    if request.method == "GET":
        return render(request, "notifications/confirm_inbound.html", {"token": token})
    try:
        outcome = inbound.confirm(token, request.user)
    except inbound.InboundRejected as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            "Thank you: your email was processed."
            if outcome == "processed"
            else f"This email was already handled ({outcome}).",
        )
    return redirect("dashboard")
