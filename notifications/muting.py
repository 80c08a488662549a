"""Muting: a user silences a course, a forum discussion or a program (a certification is one).

A sender names what an event comes from (`send(..., about=[course, discussion])`); the event
keeps each as a subject `{"key": "courses.course:3", "label": "Workplace safety"}`. A recipient
who muted one of its subjects gets nothing from it by the outputs in MUTED_OUTPUTS (email,
push); its web rows are still written unless they also chose `hide_web`. Muting never silences
a task (it asks something of the user), an urgent message, or an output the site forces: the
rule is applied in notifications.preferences.resolve_outputs with the others.

A user may mute a subject of an event they received (an alert, a task, an email or a push of
theirs names it), so nobody learns a name through muting. Conversations have their own mute, on the
member's side of the conversation (instant.Membership.muted: no email, not counted unread); the
preferences page lists both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.db.models import Model
from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.models import EmailDelivery, Event, Mute

# What can be muted, by model label.
MUTABLE = ("courses.course", "forums.discussion", "programs.program")
# The outputs a mute silences. The web inbox is not one unless the user asks (`hide_web`).
MUTED_OUTPUTS = frozenset({"email", "push"})


class MuteError(ValueError):
    """A subject that cannot be muted by this user; the message says why."""


@dataclass(frozen=True)
class Subject:
    key: str
    label: str

    def as_dict(self) -> dict[str, str]:
        return {"key": self.key, "label": self.label}


def subject_key(instance: Model) -> str:
    return f"{instance._meta.label_lower}:{instance.pk}"


def subjects(about: Iterable) -> list[dict[str, str]]:
    """The event's `about` list from model instances (or Subjects); ValueError for anything
    that cannot be muted, so a sender's mistake shows at once."""
    result: list[dict[str, str]] = []
    for item in about or ():
        if item is None:
            continue
        if isinstance(item, Subject):
            subject = item
        elif isinstance(item, Model):
            subject = Subject(subject_key(item), str(item)[:300])
        else:
            raise ValueError(f"about takes model instances, not {item!r}")
        if subject.key.rsplit(":", 1)[0] not in MUTABLE:
            raise ValueError(f"{subject.key} cannot be muted: mutable are {', '.join(MUTABLE)}")
        if subject.key not in {s["key"] for s in result}:
            result.append(subject.as_dict())
    return result


def muted_by(user_ids: list[int], keys: list[str]) -> dict[int, dict[str, bool]]:
    """user id -> {subject key: hide_web} of these users' mutes of these subjects. One query,
    none when there are no subjects."""
    if not keys or not user_ids:
        return {}
    found: dict[int, dict[str, bool]] = {}
    for user_id, key, hide_web in Mute.objects.filter(
        user_id__in=user_ids, subject__in=keys
    ).values_list("user_id", "subject", "hide_web"):
        found.setdefault(user_id, {})[key] = hide_web
    return found


def mute_links(event: Event) -> list[tuple[str, str]]:
    """(label, absolute address) of the page that mutes each thing the event comes from: the
    same for every recipient (the page checks the signed-in reader received the event), as an
    email's foot and a push notification's buttons carry them."""
    from notifications.rendering import absolute

    base = absolute(reverse("mute"))
    return [
        (s["label"], f"{base}?{urlencode({'event': event.pk, 'subject': s['key']})}")
        for s in event.about or ()
    ]


def _received(user, event: Event) -> bool:
    from django.apps import apps

    Alert = apps.get_model("alerts", "Alert")
    PushDelivery = apps.get_model("webpush", "PushDelivery")
    return (
        Alert.objects.filter(event=event, recipient=user).exists()
        or EmailDelivery.objects.filter(event=event, user=user).exists()
        or PushDelivery.objects.filter(event=event, user=user).exists()
    )


def label_for(user, key: str, event_id) -> str:
    """The label of subject `key` if `user` may mute it: event `event_id`, which they received,
    names it. MuteError (with the reason) otherwise. Four queries at most."""
    model_label, _sep, pk = (key or "").rpartition(":")
    if model_label not in MUTABLE or not pk.isdigit():
        raise MuteError(_("This cannot be muted."))
    try:
        event_id = int(event_id)
    except (TypeError, ValueError):
        raise MuteError(_("Mute it from one of its messages.")) from None
    event = Event.objects.filter(pk=event_id).only("about").first()
    named = {s["key"]: s["label"] for s in (event.about if event else [])}
    if event is None or key not in named or not _received(user, event):
        raise MuteError(_("This message is not one of yours, or it does not come from that."))
    return named[key]


def mute(user, key: str, *, event_id, hide_web: bool = False) -> Mute:
    """Mutes subject `key` for `user` (again: updates `hide_web`). MuteError if they may not."""
    label = label_for(user, key, event_id)
    try:
        with transaction.atomic():
            return Mute.objects.create(user=user, subject=key, label=label, hide_web=hide_web)
    except IntegrityError:
        existing = Mute.objects.get(user=user, subject=key)
        if existing.hide_web != hide_web:
            existing.hide_web = hide_web
            existing.save(update_fields=["hide_web"])
        return existing


def unmute(user, mute_id: int) -> bool:
    """Removes one of the user's mutes; False if they have none with that id."""
    deleted, _rows = Mute.objects.filter(user=user, pk=mute_id).delete()
    return bool(deleted)


def is_muted(user, key: str) -> Mute | None:
    return Mute.objects.filter(user=user, subject=key).first()
