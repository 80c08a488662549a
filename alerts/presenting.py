"""Turns inbox rows into what pages, the API and live frames show, in the viewer's language."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.html import escape

from notifications import catalogue
from notifications.models import MessageTemplate
from notifications.rendering import NAME_MARK, render, sources, uses_recipient_plainly

OUTCOMES = {
    "accept": "Accepted",
    "decline": "Declined",
    "approve": "Approved",
    "dismiss": "Marked done",
}


def outcome(action: str) -> str:
    return OUTCOMES.get(action, action.replace("_", " ").capitalize())


class Presenter:
    """Renders rows for one viewer, rendering each event once, from an admin's template for the
    viewer's language where there is one (loaded on the first rendering: one query)."""

    def __init__(self, user, overrides: dict | None = None):
        self.user = user
        self._cache = {}
        self._overrides = overrides

    def override_for(self, message_type_id: int):
        if self._overrides is None:
            self._overrides = {
                t.message_type_id: t
                for t in MessageTemplate.objects.filter(language=self.user.language)
            }
        return self._overrides.get(message_type_id)

    def rendered(self, item):
        event = item.event
        if event.pk not in self._cache:
            self._cache[event.pk] = render(
                event.key,
                event.context,
                language=self.user.language,
                tz=self.user.timezone,
                recipient_name=self.user.display_name,
                sender_name=event.sender.display_name if event.sender else "",
                url=event.url,
                override=self.override_for(event.message_type_id),
                custom=event.templates,
            )
        return self._cache[event.pk]

    def actions(self, item) -> list[str]:
        if item.kind != "task" or item.done_at:
            return []
        from alerts.handlers import actions_for

        return actions_for(item.key)

    def as_dict(self, item) -> dict:
        rendered = self.rendered(item)
        data = {
            "id": item.pk,
            "key": item.key,
            "kind": item.kind,
            "feature": item.feature,
            "subject": rendered.subject,
            "body": str(rendered.html),
            "url": item.event.url,
            "urgency": item.urgency,
            "sender": item.event.sender.display_name if item.event.sender else None,
            "created_at": item.created_at.isoformat(),
            "read": item.read_at is not None,
            "read_at": item.read_at.isoformat() if item.read_at else None,
            "why_url": reverse("why", args=[item.event_id]),
            "event_id": item.event_id,
            # What it comes from, that the user may mute (notifications.muting).
            "about": list(item.event.about or ()),
            "snoozed_until": item.snoozed_until.isoformat() if item.snoozed_until else None,
            "archived": item.archived_at is not None,
        }
        if item.kind == "task":
            data.update(
                done=item.done_at is not None,
                done_at=item.done_at.isoformat() if item.done_at else None,
                action=item.action or None,
                outcome=outcome(item.action) if item.action else None,
                acted_by=item.acted_by.display_name if item.acted_by else None,
                actions=self.actions(item),
            )
        return data

    def name_of(self, key: str) -> str:
        return catalogue.get(key).name


@dataclass(frozen=True)
class _Reader:
    """Who a shared rendering is for: a language and timezone, the name a stand-in."""

    language: str
    timezone: str
    display_name: str = NAME_MARK


def present_each(rows) -> dict[int, dict]:
    """Each row (its event, the event's sender and its recipient loaded) as its recipient sees
    it, by row id: rendered once per event, language and timezone when the templates use the
    name only as `{{ recipient }}` (each name replaces the stand-in), else per recipient.
    One query (the admins' templates of these events' types) whatever the number of rows."""
    rows = list(rows)
    if not rows:
        return {}
    templates = MessageTemplate.objects.filter(
        message_type_id__in={row.event.message_type_id for row in rows}
    )
    by_language: dict[str, dict] = {}
    for template in templates:
        by_language.setdefault(template.language, {})[template.message_type_id] = template
    shared: dict[tuple, Presenter] = {}
    items = {}
    for row in rows:
        user, event = row.recipient, row.event
        overrides = by_language.get(user.language, {})
        override = overrides.get(event.message_type_id)
        plain = user.display_name and uses_recipient_plainly(
            *sources(event.key, user.language, override, event.templates),
            event.templates.get("prefix", ""),
        )
        if not plain:
            items[row.pk] = Presenter(user, overrides).as_dict(row)
            continue
        key = (user.language, user.timezone)
        if key not in shared:
            shared[key] = Presenter(_Reader(*key), overrides)
        item = shared[key].as_dict(row)
        item["subject"] = item["subject"].replace(NAME_MARK, user.display_name)
        item["body"] = item["body"].replace(NAME_MARK, escape(user.display_name))
        items[row.pk] = item
    return items
