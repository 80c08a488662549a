""" "Why did I get this?": for one event, what reached the signed-in user and the rule that chose
each output, as recorded when it was sent (the delivery log shows admins the same for everyone).

Linked from every alert and task (pages, blocks, API `why_url`) and from every email's footer.
A user sees only their own deliveries: an event that reached them by no output is a 404, as is
one that does not exist, so the page tells nobody what others received.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from alerts.models import Alert
from alerts.presenting import Presenter
from notifications import catalogue, outputs
from notifications.catalogue import OUTPUT_LABELS
from notifications.models import EmailDelivery, Event
from notifications.preferences import WHY_FORCED

# Whole sentences, one per case, so that each language can word them its own way.
FORCED = {
    "web": _("The site always sends this message in your notifications: it cannot be turned off."),
    "email": _("The site always sends this message by email: it cannot be turned off."),
    "push": _(
        "The site always sends this message as a push notification: it cannot be turned off."
    ),
}
KEEPS = {
    "chosen": _(
        "You chose this message by email, and it carries %(document)s, so it is emailed "
        "whether you are logged in or not."
    ),
    "default": _(
        "By default you get this message by email, and it carries %(document)s, so it is "
        "emailed whether you are logged in or not."
    ),
}
CHOSEN = {
    ("chosen", "web", "in"): _(
        "You chose to get this message in your notifications when logged in, and you were "
        "logged in when it was sent."
    ),
    ("chosen", "web", "off"): _(
        "You chose to get this message in your notifications when logged off, and you were "
        "logged off when it was sent."
    ),
    ("chosen", "email", "in"): _(
        "You chose to get this message by email when logged in, and you were logged in when "
        "it was sent."
    ),
    ("chosen", "email", "off"): _(
        "You chose to get this message by email when logged off, and you were logged off when "
        "it was sent."
    ),
    ("chosen", "push", "in"): _(
        "You chose to get this message as a push notification when logged in, and you were "
        "logged in when it was sent."
    ),
    ("chosen", "push", "off"): _(
        "You chose to get this message as a push notification when logged off, and you were "
        "logged off when it was sent."
    ),
    ("default", "push", "in"): _(
        "You have not chosen for this message: by default it comes as a push notification "
        "when logged in, and you were logged in when it was sent."
    ),
    ("default", "push", "off"): _(
        "You have not chosen for this message: by default it comes as a push notification "
        "when logged off, and you were logged off when it was sent."
    ),
    ("default", "web", "in"): _(
        "You have not chosen for this message: by default it comes in your notifications when "
        "logged in, and you were logged in when it was sent."
    ),
    ("default", "web", "off"): _(
        "You have not chosen for this message: by default it comes in your notifications when "
        "logged off, and you were logged off when it was sent."
    ),
    ("default", "email", "in"): _(
        "You have not chosen for this message: by default it comes by email when logged in, "
        "and you were logged in when it was sent."
    ),
    ("default", "email", "off"): _(
        "You have not chosen for this message: by default it comes by email when logged off, "
        "and you were logged off when it was sent."
    ),
}
UNRECORDED = {
    "web": _(
        "Sent in your notifications (the reason was not recorded: it was sent before this "
        "page existed)."
    ),
    "email": _(
        "Sent by email (the reason was not recorded: it was sent before this page existed)."
    ),
    "push": _(
        "Sent as a push notification (the reason was not recorded: it was sent before this "
        "page existed)."
    ),
}


def explain(code: str, output: str, keeps: str) -> str:
    """The sentence for a why code of notifications.preferences, in the active language."""
    where = output if output in FORCED else "email"
    if code == WHY_FORCED:
        return str(FORCED[where])
    source, _sep, state = code.partition("-")
    if state == "keeps":
        document = catalogue.shown(keeps) or _("a document to keep")
        lead = KEEPS["chosen" if source == "chosen" else "default"]
        return str(lead) % {"document": document}
    if (source, where, state) in CHOSEN:
        return str(CHOSEN[source, where, state])
    return str(UNRECORDED[where])


def audience_text(event: Event, spec) -> str:
    """Who the recipients are to what happened."""
    if event.audience == "manager":
        learner = event.context.get("learner")
        if isinstance(learner, str) and learner:
            return _("You are the manager of %(learner)s, so you get a copy.") % {
                "learner": learner
            }
        return str(_("You are the manager of the learner it is about, so you get a copy."))
    if spec is None or not spec.recipients:
        return ""
    return _("It goes to: %(recipients)s.") % {"recipients": catalogue.shown(spec.recipients)}


@login_required
@require_GET
def why(request, event_id: int):
    event = Event.objects.select_related("message_type", "sender").filter(pk=event_id).first()
    if event is None:
        raise Http404(_("No such message."))
    item = (
        Alert.objects.select_related("event__sender", "event__message_type", "acted_by")
        .filter(event=event, recipient=request.user)
        .first()
    )
    emails = list(EmailDelivery.objects.filter(event=event, user=request.user).order_by("pk"))
    # The other outputs that keep a row per delivery tell theirs (`delivered_to`: one query).
    others = {
        name: output.delivered_to(event.pk, request.user.pk)
        for name, output in outputs.registered().items()
        if hasattr(output, "delivered_to")
    }
    if item is None and not emails and not any(others.values()):
        raise Http404(_("This message was not sent to you."))
    try:
        spec = catalogue.get(event.key)
    except catalogue.UnknownMessageType:
        spec = None
    keeps = spec.keeps if spec else ""
    shown = Presenter(request.user).as_dict(item) if item else None
    subject = shown["subject"] if shown else next((e.subject for e in emails if e.subject), "")
    deliveries = []
    if item is not None:
        deliveries.append(
            {
                "output": _("Notifications (web)"),
                "reason": explain(item.why, "web", keeps),
                "status": (
                    pgettext_lazy("alert state", "Read")
                    if item.read_at
                    else (_("Done") if item.done_at else _("Unread"))
                ),
            }
        )
    else:
        deliveries.append(
            {"output": _("Notifications (web)"), "reason": _("Not sent there."), "status": ""}
        )
    for delivery in emails:
        deliveries.append(
            {
                "output": _("Email to %(address)s") % {"address": delivery.to_address},
                "reason": explain(delivery.why, "email", keeps),
                "status": delivery.get_status_display(),
            }
        )
    if not emails:
        deliveries.append({"output": _("Email"), "reason": _("Not sent by email."), "status": ""})
    for name, rows in others.items():
        for row in rows:
            deliveries.append(
                {
                    "output": row["label"],
                    "reason": explain(row["why"], name, keeps),
                    "status": row["status"],
                }
            )
        if not rows:
            label = str(OUTPUT_LABELS.get(name, (name, ""))[0])
            deliveries.append({"output": label, "reason": _("Not sent there."), "status": ""})
    return render(
        request,
        "alerts/why.html",
        {
            "event": event,
            "subject": subject,
            "type_name": catalogue.shown(spec.name if spec else event.message_type.name),
            "feature_name": catalogue.shown(spec.feature_name) if spec else "",
            "description": catalogue.shown(spec.description) if spec else "",
            "audience": audience_text(event, spec),
            "deliveries": deliveries,
            "url": event.url,
            "preferences_anchor": f"{event.key}:web:logged_in",
        },
    )
