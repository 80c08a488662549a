"""send(): one event to any number of recipients, each reached where they chose."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from notifications import catalogue, muting
from notifications import outputs as outputs_registry
from notifications.models import Event, SentKey, Undelivered
from notifications.preferences import TypeSettings, resolve_outputs


class MissingPlaceholder(ValueError):
    """send() was called without a context value that the type's templates require."""


class InvalidContext(ValueError):
    """The context holds a value that cannot be stored as JSON."""


@dataclass
class SendResult:
    """What send() did: rows written per output, recipients not reached, repeats skipped."""

    event_id: int | None
    outputs: dict[str, int] = field(default_factory=dict)
    recipients: int = 0
    undelivered: int = 0
    duplicates: int = 0
    skipped_sender: bool = False


_DATETIME = "__datetime__"
_DATE = "__date__"


def encode_context(context: dict) -> dict:
    """Makes the context JSON, keeping dates and datetimes typed so they render per timezone."""

    def encode(value):
        if isinstance(value, datetime.datetime):
            return {_DATETIME: value.isoformat()}
        if isinstance(value, datetime.date):
            return {_DATE: value.isoformat()}
        if isinstance(value, Model):
            return str(value)
        if isinstance(value, dict):
            return {str(k): encode(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [encode(v) for v in value]
        return value

    encoded = {str(k): encode(v) for k, v in context.items()}
    try:
        json.dumps(encoded, cls=DjangoJSONEncoder)
    except TypeError as error:
        raise InvalidContext(f"context cannot be stored: {error}") from None
    return encoded


def decode_context(context: dict) -> dict:
    def decode(value):
        if isinstance(value, dict):
            if set(value) == {_DATETIME}:
                return datetime.datetime.fromisoformat(value[_DATETIME])
            if set(value) == {_DATE}:
                return datetime.date.fromisoformat(value[_DATE])
            return {k: decode(v) for k, v in value.items()}
        if isinstance(value, list):
            return [decode(v) for v in value]
        return value

    return {k: decode(v) for k, v in context.items()}


TEMPLATE_PARTS = ("subject", "body", "prefix")
# Who the recipients of an event are to it ("" = the people it is about or meant for).
AUDIENCES = ("", "manager")


def _checked_templates(message_type, templates: dict) -> dict[str, str]:
    """The non-empty parts of an event's own templates, each checked against the type."""
    unknown = set(templates) - set(TEMPLATE_PARTS)
    if unknown:
        raise ValueError(f"unknown template parts: {sorted(unknown)}")
    checked = {}
    for part, source in templates.items():
        if source and source.strip():
            message_type.check_template(source)
            checked[part] = source
    return checked


def _recipient_batches(recipients, size: int) -> Iterator[list[tuple[int, str]]]:
    """Yields (user id, email) batches; one query per batch however recipients were given."""
    User = get_user_model()
    if isinstance(recipients, QuerySet):
        rows = recipients.order_by("pk").values_list("pk", "email").iterator(chunk_size=size)
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch
        return
    if isinstance(recipients, Model | int):
        recipients = [recipients]
    seen: dict[int, str | None] = {}
    for r in recipients:
        if isinstance(r, Model):
            seen[r.pk] = r.email
        else:
            seen.setdefault(int(r), None)
    ids = list(seen)
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        unknown = [i for i in chunk if seen[i] is None]
        if unknown:
            seen.update(
                User.objects.filter(pk__in=unknown, is_active=True).values_list("pk", "email")
            )
        yield [(i, seen[i]) for i in chunk if seen[i] is not None]


def _claim_dedupe(type_id: int, dedupe_key: str, user_ids: list[int]) -> set[int]:
    """Records (type, key, user) for each user; returns the users who did not have it yet.

    One INSERT ... ON CONFLICT DO NOTHING RETURNING, so two concurrent sends of the same event
    can never both claim a recipient.
    """
    if not user_ids:
        return set()
    table = SentKey._meta.db_table
    now = timezone.now()
    rows = ", ".join(["(%s, %s, %s, %s)"] * len(user_ids))
    params: list = []
    for user_id in user_ids:
        params += [type_id, dedupe_key, user_id, now]
    sql = (
        f"INSERT INTO {table} (message_type_id, dedupe_key, user_id, created_at) VALUES {rows} "
        "ON CONFLICT (message_type_id, dedupe_key, user_id) DO NOTHING RETURNING user_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0] for row in cursor.fetchall()}


def send(
    key: str,
    recipients,
    *,
    context: dict | None = None,
    sender=None,
    url: str = "",
    dedupe_key: str | None = None,
    data: dict | None = None,
    urgency: str | None = None,
    outputs: list[str] | None = None,
    templates: dict[str, str] | None = None,
    audience: str = "",
    about=(),
) -> SendResult:
    """Delivers one event of type `key` to `recipients` (users, user ids, or a user QuerySet).

    Raises UnknownMessageType for a key the catalogue does not declare, MissingPlaceholder when
    the context lacks a required placeholder, InvalidContext for a value JSON cannot hold; in
    each case nothing is written. The sender is left out unless the type says otherwise. With a
    `dedupe_key`, a recipient who already got this type with this key is skipped; `outputs`
    limits delivery to those outputs (for callers that deliver the rest themselves).
    `templates` gives this event its own `subject`, `body` and/or `prefix` (put before the
    body), rendered with the type's placeholders instead of its templates (TemplateProblem if
    one cannot be). `audience` says who the recipients are to what happened when they are not
    the people it is about (`manager`: a manager's copy); the "Why did I get this?" page tells
    them. `about` names what the event comes from (a course, a discussion, a program, a
    conversation: model instances), so a recipient who muted one gets no email or push of it
    (notifications.muting). Costs a
    constant number of queries per batch of NOTIFICATIONS_BATCH_SIZE recipients. Runs in the
    caller's transaction (or its own); pushes and email tasks start after commit.
    """
    message_type = catalogue.get(key)
    context = dict(context or {})
    missing = message_type.required_placeholders - {k for k, v in context.items() if v is not None}
    if missing:
        raise MissingPlaceholder(f"{key} needs {', '.join(sorted(missing))} in its context.")
    encoded = encode_context(context)
    templates = _checked_templates(message_type, templates or {})
    encoded_data = encode_context(data or {})
    subjects = muting.subjects(about)
    sender_id = sender.pk if isinstance(sender, Model) else sender
    size = settings.NOTIFICATIONS_BATCH_SIZE
    registered = outputs_registry.registered()
    only = frozenset(outputs) if outputs is not None else None
    if not audience and context.get("manager_copy") is True:
        audience = "manager"  # the types' own flag for the copy a learner's manager gets
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience: {audience!r}")
    if only is not None and not only <= set(registered):
        raise ValueError(f"unknown outputs: {sorted(only - set(registered))}")
    result = SendResult(event_id=None, outputs=dict.fromkeys(registered, 0))

    with transaction.atomic():
        type_settings = TypeSettings.load(key)
        event = Event.objects.create(
            message_type=type_settings.message_type,
            key=key,
            sender_id=sender_id,
            context=encoded,
            data=encoded_data,
            url=url or "",
            urgency=urgency or message_type.urgency,
            dedupe_key=dedupe_key or "",
            templates=templates,
            audience=audience,
            about=subjects,
        )
        result.event_id = event.pk
        about_keys = [s["key"] for s in subjects]
        for batch in _recipient_batches(recipients, size):
            if sender_id is not None and not message_type.notify_sender:
                before = len(batch)
                batch = [r for r in batch if r[0] != sender_id]
                result.skipped_sender = result.skipped_sender or len(batch) < before
            if dedupe_key:
                fresh = _claim_dedupe(event.message_type_id, dedupe_key, [u for u, _ in batch])
                result.duplicates += len(batch) - len(fresh)
                batch = [r for r in batch if r[0] in fresh]
            if not batch:
                continue
            resolution = resolve_outputs(
                type_settings,
                batch,
                only,
                urgency=event.urgency,
                now=event.created_at,
                about=about_keys,
            )
            by_id = dict(batch)
            for name, output in registered.items():
                chosen = resolution.recipients_of(name)
                if chosen:
                    result.outputs[name] += output.deliver(
                        event,
                        [(u, by_id[u]) for u in chosen],
                        why=resolution.why[name],
                        held=resolution.held.get(name) or {},
                        muted=resolution.hidden.get(name) or set(),
                        digest=resolution.digest.get(name) or {},
                    )
            Undelivered.objects.bulk_create(
                [
                    Undelivered(event=event, user_id=u, reason=r)
                    for u, r in resolution.reasons.items()
                ]
            )
            result.undelivered += len(resolution.reasons)
            result.recipients += len(batch)
        if result.recipients:
            Event.objects.filter(pk=event.pk).update(recipient_count=result.recipients)
        elif dedupe_key:
            # Everyone had it already: the repeat leaves no trace.
            event.delete()
            result.event_id = None
    return result
