"""The message catalogue: every message type the product sends, declared once in code.

Like Moodle's db/messages.php, each app declares its types in its own `messages.py`:

    from notifications.catalogue import Feature, Kind, P

    programs = Feature("programs", "Program management")
    programs.message(
        "programs.due",
        kind=Kind.ALERT,
        name="Program due",
        description="Sent N days before the program's due date.",
        recipients="learner (+manager)",
        placeholders=[P("program", "The program's name"), P("due_date", "When it is due")],
        subject="{{ program }} is due on {{ due_date }}",
        body="Hello {{ recipient }},\n\nThe program {{ program }} is due on {{ due_date }}.",
    )

The notifications app imports every installed app's `messages` module when Django starts
(`load()`), and mirrors the catalogue into the database after each migrate so admins can set
outputs per type. Nothing may send a key that the catalogue does not declare.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from django.db import models
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _lazy


class Kind(models.TextChoices):
    TASK = "task", "Task"
    ALERT = "alert", "Alert"
    EMAIL = "email", "Email"
    MESSAGE = "message", "Message"


class Permission(models.TextChoices):
    DISALLOWED = "disallowed", "Disallowed"
    PERMITTED = "permitted", "Permitted"
    FORCED = "forced", "Forced"


class Urgency(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    URGENT = "urgent", "Urgent"


# The outputs a message can go to. Each is implemented by an app that registers itself
# (notifications.outputs); the catalogue only names them.
OUTPUTS = ("web", "email", "push")

# How pages name each output: the column heading of the preferences grid, and "by ..." in
# sentences about it.
OUTPUT_LABELS = {
    "web": (_lazy("On the site"), _lazy("on the site")),
    "email": (_lazy("By email"), _lazy("by email")),
    "push": (_lazy("Push notifications"), _lazy("by push notification")),
}


class Audience(models.TextChoices):
    """Who a message type is for, so the preferences page shows each user only what can reach
    them (notifications.preferences.user_audiences says which a user belongs to)."""

    LEARNER = "learner", "Learner"  # everyone: what happens to the user's own learning
    MANAGER = "manager", "Manager"  # someone's manager or temporary manager in a job assignment
    TRAINER = "trainer", "Trainer"  # teaches a course (a trainer enrolment)
    ADMIN = "admin", "Site administrator"  # a superuser, or staff who may see the event rules


@dataclass(frozen=True)
class OutputDefault:
    """The default setting of one output for one message type, as admins first see it."""

    permission: str
    logged_in: bool
    logged_off: bool

    def as_dict(self) -> dict:
        return {
            "permission": self.permission,
            "logged_in": self.logged_in,
            "logged_off": self.logged_off,
        }


@dataclass(frozen=True)
class Placeholder:
    """A name a message's templates may use; `send()` refuses an event without a required one."""

    name: str
    description: str
    required: bool = True

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "required": self.required}


P = Placeholder

# Placeholders every message can use; send() fills them for each recipient.
COMMON_PLACEHOLDERS = (
    Placeholder("recipient", "The recipient's full name", required=False),
    Placeholder("sender", "The full name of the person whose action sent it", required=False),
    Placeholder("url", "The address of what the message is about", required=False),
    Placeholder("site_name", "The name of this site", required=False),
)


def default_outputs(kind: str) -> dict[str, OutputDefault]:
    """Sensible defaults per kind.

    Tasks and alerts live in the web inbox (forced, so nobody misses them) and may be emailed
    when the user is logged off. The seed's email notifications go by email by default and may
    be shown on the web if the user wishes. Personal messages are always shown on the web and
    emailed to those who are away.

    Push notifications (to the browsers a user subscribed) are permitted everywhere: on for
    tasks, alerts and personal messages when the user is logged off (a page they have open
    already shows them live), off for the seed's email notifications unless the user wants them.
    """
    if kind in (Kind.TASK, Kind.ALERT):
        return {
            "web": OutputDefault(Permission.FORCED, True, True),
            "email": OutputDefault(Permission.PERMITTED, False, True),
            "push": OutputDefault(Permission.PERMITTED, False, True),
        }
    if kind == Kind.EMAIL:
        return {
            "web": OutputDefault(Permission.PERMITTED, False, False),
            "email": OutputDefault(Permission.PERMITTED, True, True),
            "push": OutputDefault(Permission.PERMITTED, False, False),
        }
    if kind == Kind.MESSAGE:
        return {
            "web": OutputDefault(Permission.FORCED, True, True),
            "email": OutputDefault(Permission.PERMITTED, False, True),
            "push": OutputDefault(Permission.PERMITTED, False, True),
        }
    raise ValueError(f"unknown kind {kind!r}")


@dataclass(frozen=True)
class MessageType:
    key: str
    feature: str
    feature_name: str
    kind: str
    name: str
    description: str
    recipients: str
    subject: str
    body: str
    html: str | None = None
    placeholders: tuple[Placeholder, ...] = ()
    outputs: Mapping[str, OutputDefault] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    notify_sender: bool = False
    urgency: str = Urgency.NORMAL
    # What its email carries that the recipient must keep ("a calendar invitation"), or "": such
    # email goes whether or not the recipient is logged in, unless they or the site turned it off.
    keeps: str = ""
    # Who may receive it (Audience values); the copy for a learner's manager makes it a
    # manager's type too.
    audiences: frozenset[str] = frozenset({Audience.LEARNER})

    @property
    def all_placeholders(self) -> tuple[Placeholder, ...]:
        own = {p.name for p in self.placeholders}
        return self.placeholders + tuple(p for p in COMMON_PLACEHOLDERS if p.name not in own)

    @property
    def required_placeholders(self) -> frozenset[str]:
        return frozenset(p.name for p in self.placeholders if p.required)

    def check_template(self, source: str) -> None:
        """Raises TemplateProblem, saying what is wrong, unless `source` is a template this type
        can render: valid syntax, and only its placeholders (and the common ones) used."""
        check_template(source, {p.name for p in self.all_placeholders})

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "feature": self.feature,
            "feature_name": self.feature_name,
            "kind": str(self.kind),
            "name": self.name,
            "description": self.description,
            "recipients": self.recipients,
            "outputs": {name: d.as_dict() for name, d in self.outputs.items()},
            "placeholders": [p.as_dict() for p in self.all_placeholders],
            "actions": list(self.actions),
            "urgency": str(self.urgency),
            "notify_sender": self.notify_sender,
            "keeps": self.keeps,
            "audiences": sorted(str(a) for a in self.audiences),
            "subject": self.subject,
            "body": self.body,
        }


class UnknownMessageType(LookupError):
    """Raised when code asks for a key the catalogue does not declare."""


class CatalogueError(ValueError):
    """Raised when a declaration is malformed (duplicate key, bad kind, wrong prefix)."""


class TemplateProblem(ValueError):
    """A subject or body that cannot be rendered: bad syntax or an unknown placeholder."""


_VARIABLE = re.compile(r"{{\s*([A-Za-z_][A-Za-z0-9_]*)")
_TAG_VARIABLE = re.compile(r"{%\s*(?:if|elif|for \w+ in)\s+(?:not\s+)?([A-Za-z_][A-Za-z0-9_]*)")
_LOOP_VARIABLE = re.compile(r"{%\s*for (\w+) in")


def check_template(source: str, names: Iterable[str]) -> None:
    """Raises TemplateProblem unless `source` parses and uses only `names` as placeholders."""
    from django.template import TemplateSyntaxError
    from django.utils.translation import gettext, ngettext

    from notifications.rendering import compile_template

    try:
        compile_template(source)
    except TemplateSyntaxError as error:
        raise TemplateProblem(
            gettext("The template has a syntax error: %(error)s") % {"error": error}
        ) from None
    used = set(_VARIABLE.findall(source)) | set(_TAG_VARIABLE.findall(source))
    loops = set(_LOOP_VARIABLE.findall(source))
    if loops:
        loops.add("forloop")  # what Django's {% for %} sets besides the loop variable
    unknown = used - set(names) - loops
    if unknown:

        def braced(found):
            return ", ".join("{{ " + name + " }}" for name in sorted(found))

        raise TemplateProblem(
            ngettext(
                "Unknown placeholder %(unknown)s. Available: %(available)s.",
                "Unknown placeholders %(unknown)s. Available: %(available)s.",
                len(unknown),
            )
            % {"unknown": braced(unknown), "available": braced(names)}
        )


_registry: dict[str, MessageType] = {}


class Feature:
    """A group of message types declared by one app, shown together to admins and users.

    `outputs` overrides the kinds' default outputs for every type of the feature (a type's own
    `outputs` override both). `audiences` is who the feature's types are for unless a type
    says otherwise (learners by default); a type with a `manager_copy` placeholder also goes to
    managers."""

    def __init__(
        self,
        label: str,
        name: str,
        outputs: Mapping[str, OutputDefault] | None = None,
        audiences: Iterable[str] = (Audience.LEARNER,),
    ):
        self.label = label
        self.name = name
        self.outputs = dict(outputs or {})
        self.audiences = frozenset(audiences)

    def message(
        self,
        key: str,
        *,
        kind: str,
        name: str,
        description: str,
        recipients: str,
        subject: str,
        body: str,
        html: str | None = None,
        placeholders: Iterable[Placeholder] = (),
        outputs: Mapping[str, OutputDefault] | None = None,
        actions: Iterable[str] = (),
        notify_sender: bool = False,
        urgency: str = Urgency.NORMAL,
        keeps: str = "",
        audiences: Iterable[str] | None = None,
    ) -> MessageType:
        if not key.startswith(self.label + "."):
            raise CatalogueError(f"{key!r} must start with {self.label!r}.")
        if kind not in Kind.values:
            raise CatalogueError(f"{key}: unknown kind {kind!r}.")
        if key in _registry:
            raise CatalogueError(f"{key} is declared twice.")
        actions = tuple(actions)
        if actions and kind != Kind.TASK:
            raise CatalogueError(f"{key}: only tasks have actions.")
        resolved = {**default_outputs(kind), **self.outputs, **(outputs or {})}
        unknown = set(resolved) - set(OUTPUTS)
        if unknown:
            raise CatalogueError(f"{key}: unknown outputs {sorted(unknown)}.")
        placeholders = tuple(placeholders)
        audiences = frozenset(self.audiences if audiences is None else audiences)
        if any(p.name == "manager_copy" for p in placeholders):
            audiences |= {Audience.MANAGER}
        if not audiences or not audiences <= set(Audience.values):
            raise CatalogueError(f"{key}: audiences must be some of {Audience.values}.")
        message_type = MessageType(
            key=key,
            feature=self.label,
            feature_name=self.name,
            kind=kind,
            name=name,
            description=description,
            recipients=recipients,
            subject=subject,
            body=body,
            html=html,
            placeholders=placeholders,
            outputs=MappingProxyType(resolved),
            actions=actions,
            notify_sender=notify_sender,
            urgency=urgency,
            keeps=keeps,
            audiences=frozenset(Audience(a) for a in audiences),
        )
        _registry[key] = message_type
        return message_type


def load() -> None:
    """Imports every installed app's `messages` module (idempotent)."""
    autodiscover_modules("messages")


def get(key: str) -> MessageType:
    try:
        return _registry[key]
    except KeyError:
        raise UnknownMessageType(f"{key!r} is not in the message catalogue.") from None


def all_types() -> list[MessageType]:
    return sorted(_registry.values(), key=lambda t: (t.feature_name, t.key))


def shown(text: str) -> str:
    """A catalogue word (a type's name, description, feature name, recipients or kept document)
    in the active language: their msgids are in catalogue_strings.NAMES. "" stays "" (gettext
    would answer the catalogue's header)."""
    from django.utils.translation import gettext

    return gettext(text) if text else ""
