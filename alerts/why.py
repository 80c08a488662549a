""" "Why did I get this?": for one event, what reached the signed-in user and the rule that chose
each output, as recorded when it was sent (the delivery log shows admins the same for everyone).

Linked from every alert and task (pages, blocks, API `why_url`) and from every email's footer.
A user sees only their own deliveries: an event that reached them by no output is a 404, as is
one that does not exist, so the page tells nobody what others received.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from alerts.models import Alert
from alerts.presenting import Presenter
from notifications import catalogue, outputs
from notifications.catalogue import OUTPUT_LABELS
from notifications.models import EmailDelivery, Event
from notifications.preferences import WHY_FORCED

STATE_TEXT = {
    "in": "you were logged in",
    "off": "you were logged off",
}


def explain(code: str, output: str, keeps: str) -> str:
    """The sentence for a why code of notifications.preferences."""
    where = (
        "in your notifications"
        if output == "web"
        else str(OUTPUT_LABELS.get(output, ("", output))[1])
    )
    if code == WHY_FORCED:
        return f"The site always sends this message {where}: it cannot be turned off."
    source, _, state = code.partition("-")
    if state == "keeps":
        document = keeps or "a document to keep"
        lead = "You chose" if source == "chosen" else "By default you get"
        return (
            f"{lead} this message by email, and it carries {document}, so it is emailed "
            "whether you are logged in or not."
        )
    if source in ("chosen", "default") and state in STATE_TEXT:
        when = "when logged in" if state == "in" else "when logged off"
        lead = (
            f"You chose to get this message {where} {when}"
            if source == "chosen"
            else f"You have not chosen for this message: by default it comes {where} {when}"
        )
        return f"{lead}, and {STATE_TEXT[state]} when it was sent."
    return f"Sent {where} (the reason was not recorded: it was sent before this page existed)."


def audience_text(event: Event, spec) -> str:
    """Who the recipients are to what happened."""
    if event.audience == "manager":
        learner = event.context.get("learner")
        if isinstance(learner, str) and learner:
            return f"You are the manager of {learner}, so you get a copy."
        return "You are the manager of the learner it is about, so you get a copy."
    return f"It goes to: {spec.recipients}." if spec is not None else ""


@login_required
@require_GET
def why(request, event_id: int):
    event = Event.objects.select_related("message_type", "sender").filter(pk=event_id).first()
    if event is None:
        raise Http404("No such message.")
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
        raise Http404("This message was not sent to you.")
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
                "output": "Notifications (web)",
                "reason": explain(item.why, "web", keeps),
                "status": "Read" if item.read_at else ("Done" if item.done_at else "Unread"),
            }
        )
    else:
        deliveries.append(
            {"output": "Notifications (web)", "reason": "Not sent there.", "status": ""}
        )
    for delivery in emails:
        deliveries.append(
            {
                "output": f"Email to {delivery.to_address}",
                "reason": explain(delivery.why, "email", keeps),
                "status": delivery.get_status_display(),
            }
        )
    if not emails:
        deliveries.append({"output": "Email", "reason": "Not sent by email.", "status": ""})
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
            deliveries.append({"output": label, "reason": "Not sent there.", "status": ""})
    return render(
        request,
        "alerts/why.html",
        {
            "event": event,
            "subject": subject,
            "type_name": spec.name if spec else event.message_type.name,
            "feature_name": spec.feature_name if spec else "",
            "description": spec.description if spec else "",
            "audience": audience_text(event, spec),
            "deliveries": deliveries,
            "url": event.url,
            "preferences_anchor": f"{event.key}:web:logged_in",
        },
    )
