"""Who gets a message where: every "should this user be told, and how?" rule lives here.

The rules, per output, in order:
1. the site has switched the output off -> never;
2. the type disallows the output -> never;
3. the type forces the output -> always (the user's choices, "no email at all" included, are
   ignored; an address suppressed after a bounce still gets no email: it cannot be delivered);
4. otherwise the user's choice for "logged in" or "logged off" (whichever they are now), or the
   type's default where they never chose; email also needs "no email at all" off. The email of a
   type that carries a document to keep (a calendar invitation: `keeps` in the catalogue) goes
   whether they are logged in or not, unless both choices are off.
Email always needs an address that is not suppressed.

Then when: an output in HELD_OUTPUTS (email, push) chosen for a user who is in their quiet hours
(notifications.quiet_hours, in their time zone) waits until those hours end, unless the
message is urgent. Forced types wait too (forced says whether, not when); tasks wait like any
other message. The web inbox never waits: its rows (and the live update of a page the user
has open) are written at once.

A recipient who muted what the event comes from (notifications.muting: a course, a
discussion, a program) gets nothing from it by email or push unless the site forces that
output; if they also hid its alerts, its web row is written archived (out of the lists and
counts, never pushed live, kept in the Archived tab: a forced web row is still delivered). A
mute never silences a task, an urgent message or a document to keep (a calendar invitation).
And how often (email cadence): email that may wait (not a task, not urgent, not a document to
keep, not a type whose email the site forces) follows the user's cadence for the type's
feature, else their cadence for all features, else the site's (SiteMessaging):
- immediately: sent now (or when quiet hours end);
- daily / weekly: written as a digest item (an outbox row in the `digest` state) that the
  email.send_digests job sends in one email at 07:00 in the user's zone (weekly: Mondays);
- never: no email for that feature (web rows are still written).
Forced email ignores the cadence as it ignores every other choice of the user: the site wants
each of those emails delivered, on its own and on time. The digest job checks again what
the user wants when it sends (notifications.digests).

Everything is read in bulk: a constant number of queries for any number of users.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import CharField, IntegerField, Q, Value
from django.utils import timezone

from notifications import catalogue, presence
from notifications.catalogue import OUTPUTS, Audience, Kind, Permission, Urgency
from notifications.models import (
    Cadence,
    EmailCadence,
    EmailSuppression,
    MessageType,
    OutputSetting,
    Preference,
    SiteMessaging,
    SiteOutput,
    UserMessaging,
)
from notifications.muting import MUTED_OUTPUTS, muted_by
from notifications.quiet_hours import QuietHours, quiet_until

# The outputs that wait for the end of a recipient's quiet hours. The web inbox is not one: the
# user sees its rows when they look, which disturbs nobody. A push notification pops up on a
# device, so it waits like email.
HELD_OUTPUTS = frozenset({"email", "push"})


@dataclass(frozen=True)
class TypeSettings:
    """A message type's output settings as the admin left them, with the site switches."""

    message_type: MessageType
    settings: dict[str, OutputSetting]
    site_enabled: dict[str, bool]

    @classmethod
    def load(cls, key: str) -> TypeSettings:
        message_type = MessageType.objects.get(key=key)
        settings = {s.output: s for s in OutputSetting.objects.filter(message_type=message_type)}
        return cls(message_type, settings, site_switches())

    @property
    def feature_name(self) -> str:
        return self.message_type.feature_name

    @property
    def keeps(self) -> str:
        """What the type's email carries that the recipient must keep, or ""."""
        try:
            return catalogue.get(self.message_type.key).keeps
        except catalogue.UnknownMessageType:
            return ""

    def locked_reason(self, output: str) -> str | None:
        """Why a user cannot change this output for this type, or None if they can."""
        if not self.site_enabled.get(output, True):
            return f"The site has turned {output} off."
        setting = self.settings.get(output)
        if setting is None or setting.permission == Permission.DISALLOWED:
            return "Not available for this message."
        if setting.permission == Permission.FORCED:
            return "Always sent: required by the site."
        return None


def site_switches() -> dict[str, bool]:
    switches = dict.fromkeys(OUTPUTS, True)
    switches.update(dict(SiteOutput.objects.values_list("output", "enabled")))
    return switches


# Why an output was chosen for a recipient, recorded on the row at send time ("Why did I get
# this?", notifications/views.py): whatever the preferences say later, the page tells what
# decided then.
WHY_FORCED = "forced"  # the site always sends this type by this output
WHY_CHOSEN = "chosen"  # the recipient's own choice for the state they were in
WHY_DEFAULT = "default"  # the type's default: the recipient never chose
WHY_STATES = {"in": "logged in", "off": "logged off", "keeps": "either way (a document to keep)"}


def why_code(source: str, state: str = "") -> str:
    """`forced`, or `chosen-in`, `default-off`, `chosen-keeps`...: at most 13 characters."""
    return source if source == WHY_FORCED else f"{source}-{state}"


@dataclass
class Resolution:
    outputs: dict[int, set[str]] = field(default_factory=dict)
    reasons: dict[int, str] = field(default_factory=dict)
    # output -> user id -> why code, for every chosen output
    why: dict[str, dict[int, str]] = field(default_factory=dict)
    # output -> user id -> when its message may go (UTC), for recipients in quiet hours
    held: dict[str, dict[int, datetime.datetime]] = field(default_factory=dict)
    # output -> the users who muted what the event comes from and hid its alerts: their web
    # rows are written archived
    hidden: dict[str, set[int]] = field(default_factory=dict)
    # output (email) -> user id -> `daily` or `weekly`, for recipients whose message waits for
    # their digest
    digest: dict[str, dict[int, str]] = field(default_factory=dict)

    def recipients_of(self, output: str) -> list[int]:
        return [u for u, outs in self.outputs.items() if output in outs]


def resolve_outputs(
    type_settings: TypeSettings,
    users: list[tuple[int, str]],
    only: frozenset[str] | None = None,
    *,
    urgency: str = Urgency.NORMAL,
    now: datetime.datetime | None = None,
    about: tuple[str, ...] | list[str] = (),
) -> Resolution:
    """Decides the outputs of each (user id, email address) for one message type, among `only`
    when the caller delivers the other outputs itself (instant messages are their own web inbox),
    and which of them wait for the end of the user's quiet hours at `now` (a message of
    `urgency` urgent never waits). `about` holds the subject keys of what the event comes
    from, for the recipients' mutes.

    Then which email goes into a digest, or not at all, by the users' cadence for the type's
    feature (`may_wait_for_digest`).

    Queries: preferences, per-user switches ("no email at all" and quiet hours, with each
    user's time zone), cadences (with the site's default, in the same query), suppressed
    addresses, mutes of `about`: at most five for any number of users (plus one cache round
    trip for presence), none that cannot change the answer.
    """
    user_ids = [u for u, _ in users]
    wanted = [o for o in OUTPUTS if only is None or o in only]
    live = [
        o
        for o in wanted
        if type_settings.site_enabled.get(o, True)
        and o in type_settings.settings
        and type_settings.settings[o].permission != Permission.DISALLOWED
    ]
    # Users' choices (and whether they are logged in) matter only for permitted outputs, and
    # email addresses only when email can go out: forced web to many people reads nothing.
    choosing = any(type_settings.settings[o].permission == Permission.PERMITTED for o in live)
    emailing = "email" in live
    prefs: dict[tuple[int, str], Preference] = {}
    online: set[int] = set()
    if choosing:
        prefs = {
            (p.user_id, p.output): p
            for p in Preference.objects.filter(
                message_type=type_settings.message_type, user_id__in=user_ids
            )
        }
        online = presence.logged_in(user_ids)
    email_off: set[int] = set()
    suppressed: set[str] = set()
    quiet: dict[int, QuietHours] = {}
    cadences: Cadences | None = None
    holding = urgency != Urgency.URGENT and bool(HELD_OUTPUTS & set(live))
    if emailing or holding:
        # The users with "no email at all" (when email can go) or quiet hours (when something
        # may wait): one query whether email, push or both are live.
        if emailing and holding:
            switched = Q(email_off=True) | Q(quiet_hours_enabled=True)
        elif emailing:
            switched = Q(email_off=True)
        else:
            switched = Q(quiet_hours_enabled=True)
        for row in UserMessaging.objects.filter(switched, user_id__in=user_ids).values(
            "user_id",
            "email_off",
            "quiet_hours_enabled",
            "quiet_hours_start",
            "quiet_hours_end",
            "quiet_hours_weekends",
            "user__timezone",
        ):
            if emailing and row["email_off"]:
                email_off.add(row["user_id"])
            if holding and row["quiet_hours_enabled"]:
                quiet[row["user_id"]] = QuietHours(
                    enabled=True,
                    start=row["quiet_hours_start"],
                    end=row["quiet_hours_end"],
                    weekends=row["quiet_hours_weekends"],
                    timezone=row["user__timezone"],
                )
    if emailing:
        if may_wait_for_digest(type_settings, urgency):
            cadences = batch_cadences(type_settings.message_type.feature, user_ids)
        addresses = {a.lower() for _, a in users if a}
        suppressed = {
            a.lower()
            for a in EmailSuppression.objects.filter(address__in=addresses).values_list(
                "address", flat=True
            )
        }

    # Mutes matter to an event that names what it comes from, unless it is a task, urgent or
    # carries a document to keep.
    mutes: dict[int, dict[str, bool]] = {}
    if (
        about
        and type_settings.message_type.kind != Kind.TASK
        and urgency != Urgency.URGENT
        and not type_settings.keeps
        and any(
            (o in MUTED_OUTPUTS or o == "web")
            and type_settings.settings[o].permission != Permission.FORCED
            for o in live
        )
    ):
        mutes = muted_by(user_ids, list(about))

    keeps = type_settings.keeps
    now = now or timezone.now()
    result = Resolution(
        why={o: {} for o in wanted}, held={o: {} for o in wanted}, digest={o: {} for o in wanted}
    )
    for user_id, address in users:
        chosen: set[str] = set()
        why: list[str] = []
        logged_in = user_id in online
        for output in OUTPUTS:
            if only is not None and output not in only:
                continue
            setting = type_settings.settings.get(output)
            if not type_settings.site_enabled.get(output, True):
                why.append(f"{output}: the site has turned it off")
                continue
            if setting is None or setting.permission == Permission.DISALLOWED:
                why.append(f"{output}: disallowed for this type")
                continue
            if setting.permission == Permission.FORCED:
                code = WHY_FORCED
            else:
                if output == "email" and user_id in email_off:
                    why.append("email: the user turned all email off")
                    continue
                preference = prefs.get((user_id, output))
                source = preference or setting
                if output == "email" and keeps:
                    if not (source.logged_in or source.logged_off):
                        why.append("email: off for this type")
                        continue
                    state = "keeps"
                elif not (source.logged_in if logged_in else source.logged_off):
                    state = "logged in" if logged_in else "logged off"
                    why.append(f"{output}: off for this type when {state}")
                    continue
                else:
                    state = "in" if logged_in else "off"
                code = why_code(WHY_CHOSEN if preference else WHY_DEFAULT, state)
            muted = mutes.get(user_id)
            if muted and output in MUTED_OUTPUTS and code != WHY_FORCED:
                why.append(f"{output}: muted by the user")
                continue
            if muted and output not in MUTED_OUTPUTS and any(muted.values()):
                result.hidden.setdefault(output, set()).add(user_id)
            if output == "email":
                if not address:
                    why.append("email: the user has no email address")
                    continue
                if address.lower() in suppressed:
                    why.append("email: the address is suppressed after a bounce or complaint")
                    continue
                if cadences is not None and setting.permission != Permission.FORCED:
                    cadence = cadences.of(user_id)
                    if cadence == Cadence.NEVER:
                        why.append(
                            f"email: the user chose no email for {type_settings.feature_name}"
                        )
                        continue
                    if cadence in DIGEST_CADENCES:
                        result.digest[output][user_id] = cadence
            chosen.add(output)
            result.why[output][user_id] = code
            if output in HELD_OUTPUTS and user_id in quiet and user_id not in result.digest[output]:
                until = quiet_until(quiet[user_id], now)
                if until is not None:
                    result.held[output][user_id] = until
        result.outputs[user_id] = chosen
        if not chosen:
            result.reasons[user_id] = "; ".join(why) or "no output"
    return result


# Email cadence --------------------------------------------------------------------------------

DIGEST_CADENCES = frozenset({Cadence.DAILY, Cadence.WEEKLY})
# All features: the key of a user's default among their cadences, and of the site's.
ALL_FEATURES = ""
_SITE = "*site*"


def may_wait_for_digest(type_settings: TypeSettings, urgency: str) -> bool:
    """Whether a message of this type and urgency may wait for a digest (or, with "never", not
    be emailed): not a task (someone must act), not urgent, not carrying a document to keep
    (a calendar invitation is needed as it comes), and not a type whose email the site forces."""
    email = type_settings.settings.get("email")
    return (
        type_settings.message_type.kind != Kind.TASK
        and urgency != Urgency.URGENT
        and not type_settings.keeps
        and email is not None
        and email.permission == Permission.PERMITTED
    )


@dataclass(frozen=True)
class Cadences:
    """The cadences that apply to some users for one feature."""

    feature: dict[int, str]  # user id -> their cadence for the feature
    default: dict[int, str]  # user id -> their cadence for all features
    site: str

    def of(self, user_id: int) -> str:
        return self.feature.get(user_id) or self.default.get(user_id) or self.site


def _with_site_default(cadences):
    """(user id, feature, cadence) of these EmailCadence rows, and the site's default as a
    row of feature _SITE, in one query (a UNION)."""
    site = SiteMessaging.objects.filter(pk=1).values_list(
        Value(0, output_field=IntegerField()),
        Value(_SITE, output_field=CharField()),
        "email_cadence",
    )
    return cadences.values_list("user_id", "feature", "cadence").union(site, all=True)


def user_cadences(user_id: int) -> tuple[dict[str, str], str]:
    """A user's cadences ({feature or ALL_FEATURES: cadence}) and the site's default. One
    query."""
    chosen: dict[str, str] = {}
    site_cadence = Cadence.IMMEDIATELY
    for _user, feature, cadence in _with_site_default(EmailCadence.objects.filter(user_id=user_id)):
        if feature == _SITE:
            site_cadence = cadence
        else:
            chosen[feature] = cadence
    return chosen, site_cadence


def batch_cadences(feature: str, user_ids: list[int]) -> Cadences:
    """The cadences of `user_ids` for `feature`, with the site's default: one query."""
    rows = _with_site_default(
        EmailCadence.objects.filter(user_id__in=user_ids, feature__in=[feature, ALL_FEATURES])
    )
    by_feature: dict[int, str] = {}
    default: dict[int, str] = {}
    site_cadence = Cadence.IMMEDIATELY
    for user_id, row_feature, cadence in rows:
        if row_feature == _SITE:
            site_cadence = cadence
        elif row_feature == ALL_FEATURES:
            default[user_id] = cadence
        else:
            by_feature[user_id] = cadence
    return Cadences(by_feature, default, site_cadence)


def emails(user, key: str) -> bool:
    """Whether a message of type `key` sent to `user` now would be emailed (a page that promises
    an email asks this first). Five queries at most."""
    resolution = resolve_outputs(TypeSettings.load(key), [(user.pk, user.email)])
    return "email" in resolution.outputs.get(user.pk, set())


# Who sees which types -------------------------------------------------------------------------

# Staff who may open the event-monitoring rules are told about the site, as rule subscribers are
# (features/site_admin/actions.py); superusers are the site admins.
ADMIN_PERMISSION = ("site_admin", "view_rule")


def user_audiences(user) -> frozenset[str]:
    """The audiences `user` belongs to: everyone is a learner; a manager is someone's manager
    (or current temporary manager) in a job assignment; a trainer has a trainer enrolment; an
    admin is a superuser, or staff with the permission to view the event rules. One query."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission as AuthPermission
    from django.db.models import Exists, OuterRef, Q
    from django.utils import timezone

    if not user.is_authenticated:
        return frozenset()
    JobAssignment = apps.get_model("job_assignments", "JobAssignment")
    Enrolment = apps.get_model("courses", "Enrolment")
    app_label, codename = ADMIN_PERMISSION
    admin_perm = AuthPermission.objects.filter(
        Q(user=OuterRef("pk")) | Q(group__user=OuterRef("pk")),
        content_type__app_label=app_label,
        codename=codename,
    )
    manages = JobAssignment.objects.filter(
        Q(manager=OuterRef("pk"))
        | Q(temp_manager=OuterRef("pk"), temp_manager_expires_at__gt=timezone.now())
    )
    teaches = Enrolment.objects.filter(user=OuterRef("pk"), role=Enrolment.Role.TRAINER)
    roles = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            manages=Exists(manages),
            teaches=Exists(teaches),
            admin_perm=Exists(admin_perm),
        )
        .values("is_superuser", "is_staff", "is_active", "manages", "teaches", "admin_perm")
        .first()
    )
    if roles is None:
        return frozenset()
    audiences = {Audience.LEARNER}
    if roles["manages"]:
        audiences.add(Audience.MANAGER)
    if roles["teaches"]:
        audiences.add(Audience.TRAINER)
    if roles["is_active"] and (
        roles["is_superuser"] or (roles["is_staff"] and roles["admin_perm"])
    ):
        audiences.add(Audience.ADMIN)
    return frozenset(audiences)


def visible_keys(audiences: frozenset[str]) -> frozenset[str]:
    """The keys of the declared types meant for any of `audiences`: what a user's preferences
    page and `GET /api/preferences/` list. Their saved choices for other types stay as they
    are. No query."""
    return frozenset(t.key for t in catalogue.all_types() if t.audiences & audiences)
