"""Messaging preferences (quiet hours, email frequency) and the one-click unsubscribe page."""

import datetime
from itertools import groupby

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from accounts import actions as account_actions
from notifications import flows
from notifications.catalogue import OUTPUT_LABELS, OUTPUTS
from notifications.email import read_unsubscribe_token
from notifications.models import Cadence, EmailSuppression, MessageType, Mute


def next_url(request, default: str) -> str:
    """The `next` of the form (or the link) if it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or default
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


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
            messages.error(request, _("Nothing was saved: %s") % error.errors)
        else:
            flows.set_email_off(request.user, "email_off" in request.POST)
            messages.success(request, _("Your messaging preferences are saved."))
        return redirect("messaging-preferences")
    return _page(request, rows)


def _page(
    request,
    rows,
    quiet=None,
    quiet_errors=None,
    status=200,
    cadence=None,
    cadence_errors=None,
    profile=None,
    profile_errors=None,
):
    """The preferences page; `quiet` and `quiet_errors` (`cadence` and `cadence_errors`,
    `profile` and `profile_errors`) show a refused quiet-hours (email frequency, language and
    time zone) form as the user filled it in."""
    switches = flows.user_messaging(request.user)
    cadence = cadence or flows.cadence_of(
        request.user, flows.features_of((r.feature, r.feature_name) for r in rows)
    )
    quiet = quiet or flows.quiet_hours_of(request.user, row=switches)
    features = []
    for (feature, feature_name), feature_rows in groupby(
        rows, key=lambda r: (r.feature, r.feature_name)
    ):
        feature_rows = list(feature_rows)
        types = []
        for key, outputs in groupby(feature_rows, key=lambda r: r.key):
            outputs = {r.output: r for r in outputs}
            first = next(iter(outputs.values()))
            types.append(
                {
                    "key": key,
                    "name": first.name,
                    "description": first.description,
                    "outputs": outputs,
                    "cells": [outputs.get(o) for o in OUTPUTS],
                }
            )
        # "All on / all off" only where the user has something to choose.
        switchable = {r.output for r in feature_rows if not r.locked}
        features.append(
            {
                "label": feature,
                "name": feature_name,
                "types": types,
                "switchable": [
                    {"output": o, "heading": OUTPUT_LABELS[o][0], "phrase": OUTPUT_LABELS[o][1]}
                    for o in OUTPUTS
                    if o in switchable
                ],
            }
        )
    suppression = EmailSuppression.objects.filter(address__iexact=request.user.email).first()
    return render(
        request,
        "notifications/preferences.html",
        {
            "features": features,
            "outputs": [{"output": o, "heading": OUTPUT_LABELS[o][0]} for o in OUTPUTS],
            "type_count": sum(len(f["types"]) for f in features),
            "email_off": switches.email_off,
            "suppression": suppression,
            "quiet": quiet,
            "quiet_until": (
                datetime.datetime.fromisoformat(quiet["quiet_until"])
                if quiet["quiet_until"]
                else None
            ),
            "quiet_errors": quiet_errors or {},
            "mutes": Mute.objects.filter(user=request.user),
            "cadence": cadence,
            "cadence_choices": Cadence.choices,
            "site_cadence_label": Cadence(cadence["site_default"]).label,
            "cadence_errors": cadence_errors or {},
            "profile": profile or account_actions.language_and_timezone_of(request.user),
            "profile_errors": profile_errors or {},
            "languages": settings.LANGUAGES,
            "time_zones": account_actions.time_zones(),
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def cadence(request):
    """The "Email frequency" form of the preferences page: `cadence_default` and one
    `cadence:<feature>` per feature shown, each a cadence or "" (the site's default, or the
    user's). Bad input shows the page again with the errors, answers 400, changes nothing."""
    features = flows.cadence_features(request.user)
    changes = {
        "default": request.POST.get("cadence_default", "") or None,
        "features": {
            label: request.POST.get(f"cadence:{label}", "") or None
            for label, _name in features
            if f"cadence:{label}" in request.POST
        },
    }
    try:
        flows.set_cadence(request.user, changes)
    except flows.CadenceErrors as error:
        shown = flows.cadence_of(request.user, features)
        shown["default"] = changes["default"]
        for item in shown["features"]:
            if item["feature"] in changes["features"]:
                item["cadence"] = changes["features"][item["feature"]]
        return _page(
            request,
            flows.preference_grid(request.user),
            cadence=shown,
            cadence_errors={k.removeprefix("features."): v for k, v in error.errors.items()},
            status=400,
        )
    messages.success(request, _("Your email frequency is saved."))
    return redirect(f"{reverse('messaging-preferences')}#email-frequency")


@login_required
@require_http_methods(["POST"])
def quiet_hours(request):
    """The "Quiet hours" form of the preferences page: `quiet_enabled` and `quiet_weekends`
    (checkboxes), `quiet_start` and `quiet_end` ("HH:MM"). Bad input shows the page again
    with the errors by their fields, answers 400 and changes nothing."""
    changes = {
        "enabled": "quiet_enabled" in request.POST,
        "start": request.POST.get("quiet_start", ""),
        "end": request.POST.get("quiet_end", ""),
        "weekends": "quiet_weekends" in request.POST,
    }
    try:
        flows.set_quiet_hours(request.user, changes)
    except flows.QuietHoursErrors as error:
        shown = {**flows.quiet_hours_of(request.user), **changes}
        return _page(
            request,
            flows.preference_grid(request.user),
            quiet=shown,
            quiet_errors=error.errors,
            status=400,
        )
    messages.success(request, _("Your quiet hours are saved."))
    return redirect(f"{reverse('messaging-preferences')}#quiet-hours")


@login_required
@require_http_methods(["POST"])
def language(request):
    """The "Language and time zone" form of the preferences page: `language` and `timezone`.
    Bad input shows the page again with the errors by their fields, answers 400 and changes
    nothing; saved, the page comes back in the chosen language."""
    changes = {
        "language": request.POST.get("language", ""),
        "timezone": request.POST.get("timezone", ""),
    }
    try:
        account_actions.set_language_and_timezone(request.user, changes)
    except account_actions.ProfileErrors as error:
        return _page(
            request,
            flows.preference_grid(request.user),
            profile=changes,
            profile_errors=error.errors,
            status=400,
        )
    # The confirmation is in the language just chosen, as the next page will be.
    with translation.override(request.user.language):
        messages.success(request, _("Your language and time zone are saved."))
    return redirect(f"{reverse('messaging-preferences')}#language")


@login_required
@require_http_methods(["POST"])
def switch_preferences(request):
    """ "All on" or "all off" for one feature and output: `switch` is `<feature>:<output>:on` or
    `...:off` (the button the user pressed). Cells the site forces or disallows stay as they
    are. A bad value answers 400 and changes nothing."""
    feature, _sep, rest = request.POST.get("switch", "").partition(":")
    output, _sep, state = rest.partition(":")
    if state not in ("on", "off"):
        return HttpResponseBadRequest(_("switch: must be <feature>:<output>:on or :off."))
    try:
        result = flows.switch_feature_output(request.user, feature, output, state == "on")
    except flows.BadSwitch as error:
        return HttpResponseBadRequest(f"{error.field}: {error.message}")
    messages.success(request, result.summary())
    return redirect(f"{reverse('messaging-preferences')}#feature-{feature}")


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
            _("Thank you: your email was processed.")
            if outcome == "processed"
            else _("This email was already handled (%s).") % outcome,
        )
    return redirect("dashboard")
