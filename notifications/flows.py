"""Messaging preferences: the flows the page and the JSON API share."""

from __future__ import annotations

import datetime
import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import reduce

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from notifications import catalogue
from notifications.catalogue import OUTPUT_LABELS, OUTPUTS, Permission
from notifications.models import (
    Cadence,
    EmailCadence,
    MessageType,
    OutputSetting,
    Preference,
    UserMessaging,
)
from notifications.preferences import (
    ALL_FEATURES,
    site_switches,
    user_audiences,
    user_cadences,
    visible_keys,
)
from notifications.quiet_hours import QuietHours, quiet_until


@dataclass
class PreferenceRow:
    key: str
    name: str
    description: str
    feature: str
    feature_name: str
    output: str
    logged_in: bool
    logged_off: bool
    locked: bool
    reason: str
    default_logged_in: bool
    default_logged_off: bool
    # What this output carries that the user must keep (email only), or "": then one choice,
    # whether logged in or not, stands for both.
    keeps: str = ""

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "output": self.output,
            "logged_in": self.logged_in,
            "logged_off": self.logged_off,
            "locked": self.locked,
            "reason": self.reason,
            "keeps": self.keeps,
        }


def preference_grid(user) -> list[PreferenceRow]:
    """Every (type, output) the user can receive (`visible_keys` of their audiences) with their
    effective choice. Five queries for the whole grid, whoever the user is."""
    visible = visible_keys(user_audiences(user))
    switches = site_switches()
    settings = OutputSetting.objects.filter(
        message_type__obsolete=False, message_type__key__in=visible
    ).select_related("message_type")
    prefs = {(p.message_type_id, p.output): p for p in Preference.objects.filter(user=user)}
    email_off = UserMessaging.objects.filter(user=user, email_off=True).exists()
    declared = {t.key: t for t in catalogue.all_types()}
    rows = []
    for s in settings.order_by("message_type__feature_name", "message_type__name", "output"):
        mt = s.message_type
        keeps = declared[mt.key].keeps if s.output == "email" and mt.key in declared else ""
        if not switches.get(s.output, True):
            locked, reason, on_in, on_off = (
                True,
                _("The site has turned %(output)s off.") % {"output": s.output},
                False,
                False,
            )
        elif s.permission == Permission.DISALLOWED:
            locked, reason = True, _("Not available for this message.")
            on_in = on_off = False
        elif s.permission == Permission.FORCED:
            locked, reason = True, _("Always sent: required by the site.")
            on_in = on_off = True
        else:
            pref = prefs.get((mt.pk, s.output))
            source = pref or s
            locked, reason = False, ""
            on_in, on_off = source.logged_in, source.logged_off
            if keeps:
                on_in = on_off = on_in or on_off
            if s.output == "email" and email_off:
                reason = _("You have turned all email off.")
        rows.append(
            PreferenceRow(
                key=mt.key,
                # The catalogue's words in the user's language (catalogue_strings.NAMES).
                name=catalogue.shown(mt.name),
                description=catalogue.shown(mt.description),
                feature=mt.feature,
                feature_name=catalogue.shown(mt.feature_name),
                output=s.output,
                logged_in=on_in,
                logged_off=on_off,
                locked=locked,
                reason=reason,
                default_logged_in=s.logged_in,
                default_logged_off=s.logged_off,
                keeps=catalogue.shown(keeps),
            )
        )
    # In the order of the words the user reads (the query's is of the English ones); the sort
    # is stable, so each type's outputs keep the query's order.
    rows.sort(
        key=lambda r: (reading_order(r.feature_name), r.feature, reading_order(r.name), r.key)
    )
    return rows


def reading_order(text: str) -> str:
    """A sort key that files words as a reader looks them up: without case or accents
    ("Évaluations" beside "Evaluations", before "Formations")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class PreferenceErrors(ValueError):
    """Bad changes: `errors` maps the change's index to {field: message}. Nothing was saved."""

    def __init__(self, errors: dict[int, dict[str, str]]):
        super().__init__("invalid preferences")
        self.errors = errors


def update_preferences(user, changes: list[dict]) -> int:
    """Applies [{key, output, logged_in, logged_off}], all or nothing; saves only what differs
    from the type's default. Raises PreferenceErrors. Returns the number of changes applied."""
    if not isinstance(changes, list):
        raise PreferenceErrors({0: {"non_field_errors": _("Send a list of preference items.")}})
    keys = {c.get("key") for c in changes if isinstance(c, dict)}
    visible = visible_keys(user_audiences(user))
    settings = {
        (s.message_type.key, s.output): s
        for s in OutputSetting.objects.filter(
            message_type__key__in=keys, message_type__obsolete=False
        ).select_related("message_type")
    }
    switches = site_switches()
    declared = {t.key: t for t in catalogue.all_types()}
    errors: dict[int, dict[str, str]] = {}
    valid = []
    for index, change in enumerate(changes):
        problems = {}
        if not isinstance(change, dict):
            errors[index] = {"non_field_errors": _("Each item must be an object.")}
            continue
        key, output = change.get("key"), change.get("output")
        if output not in OUTPUTS:
            problems["output"] = _("Must be one of: %s.") % ", ".join(OUTPUTS)
        setting = settings.get((key, output))
        if setting is None and "output" not in problems:
            problems["key"] = _("%r is not a message type.") % key
        elif setting is not None and key not in visible:
            problems["key"] = _("%r is not a message type you can receive.") % key
        for field in ("logged_in", "logged_off"):
            if not isinstance(change.get(field), bool):
                problems[field] = _("Must be true or false.")
        if setting is not None and not problems:
            if not switches.get(output, True):
                problems["output"] = _("The site has turned %(output)s off.") % {"output": output}
            elif setting.permission != Permission.PERMITTED:
                problems["output"] = _(
                    "This output is %(permission)s for %(key)s; it is locked."
                ) % {"permission": setting.permission, "key": key}
            elif output == "email" and change["logged_in"] != change["logged_off"]:
                keeps = declared[key].keeps if key in declared else ""
                if keeps:
                    problems["logged_off"] = _(
                        "This email carries %(keeps)s, so it is sent whether you are logged in "
                        "or not: logged_in and logged_off must be equal."
                    ) % {"keeps": keeps}
        if problems:
            errors[index] = problems
        else:
            valid.append((setting, change["logged_in"], change["logged_off"]))
    if errors:
        raise PreferenceErrors(errors)
    _save(user, valid)
    return len(valid)


def _save(user, choices: list[tuple[OutputSetting, bool, bool]]) -> None:
    """Stores the choices that differ from their type's default and forgets the others: two
    statements for any number of choices."""
    back_to_default = []
    chosen = []
    for setting, logged_in, logged_off in choices:
        if (logged_in, logged_off) == (setting.logged_in, setting.logged_off):
            back_to_default.append(
                Q(message_type_id=setting.message_type_id, output=setting.output)
            )
        else:
            chosen.append(
                Preference(
                    user=user,
                    message_type_id=setting.message_type_id,
                    output=setting.output,
                    logged_in=logged_in,
                    logged_off=logged_off,
                )
            )
    with transaction.atomic():
        if back_to_default:
            Preference.objects.filter(reduce(operator.or_, back_to_default), user=user).delete()
        if chosen:
            Preference.objects.bulk_create(
                chosen,
                update_conflicts=True,
                unique_fields=["user", "message_type", "output"],
                update_fields=["logged_in", "logged_off"],
            )


class BadSwitch(ValueError):
    """An "all on / all off" naming a feature or output the user has not got: `field` says
    which. Nothing was changed."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass
class SwitchResult:
    feature_name: str
    output: str
    on: bool
    changed: int  # choices that changed
    locked: int  # types whose output the site forces, disallows or turned off: left as they are

    def summary(self) -> str:
        """What changed, in words the page can show."""
        output = str(OUTPUT_LABELS[self.output][1])
        state = _("on") if self.on else _("off")
        text = ngettext(
            "%(feature)s %(output)s: %(count)d message type turned %(state)s.",
            "%(feature)s %(output)s: %(count)d message types turned %(state)s.",
            self.changed,
        ) % {"feature": self.feature_name, "output": output, "count": self.changed, "state": state}
        if self.locked:
            text += " " + ngettext(
                "%(count)d is set by the site and was left as it is.",
                "%(count)d are set by the site and were left as they are.",
                self.locked,
            ) % {"count": self.locked}
        return text


def switch_feature_output(user, feature: str, output: str, on: bool) -> SwitchResult:
    """Turns `output` on (or off), logged in and logged off, for every type of `feature` the user
    can receive and choose for; forced, disallowed and site-disabled outputs stay as they are.
    Raises BadSwitch for an unknown output or a feature with no type the user receives."""
    if output not in OUTPUTS:
        raise BadSwitch("output", _("Must be one of: %s.") % ", ".join(OUTPUTS))
    rows = [r for r in preference_grid(user) if r.feature == feature and r.output == output]
    if not rows:
        raise BadSwitch("feature", _("%r is not a feature you receive messages of.") % feature)
    todo = [r for r in rows if not r.locked and (r.logged_in, r.logged_off) != (on, on)]
    settings = {
        s.message_type.key: s
        for s in OutputSetting.objects.filter(
            message_type__key__in=[r.key for r in todo], output=output
        ).select_related("message_type")
    }
    _save(user, [(settings[r.key], on, on) for r in todo])
    return SwitchResult(
        feature_name=rows[0].feature_name,
        output=output,
        on=on,
        changed=len(todo),
        locked=sum(r.locked for r in rows),
    )


def set_email_off(user, off: bool) -> None:
    UserMessaging.objects.update_or_create(user=user, defaults={"email_off": off})


def email_is_off(user) -> bool:
    return UserMessaging.objects.filter(user=user, email_off=True).exists()


def unsubscribe(user_id: int, key: str, undo: bool = False) -> str:
    """Turns this type's email off for the user (or back to the default). Returns what happened:
    "off", "restored", or "forced" when the type's email cannot be turned off."""
    setting = OutputSetting.objects.select_related("message_type").get(
        message_type__key=key, output="email"
    )
    if setting.permission == Permission.FORCED:
        return "forced"
    with transaction.atomic():
        lookup = {"user_id": user_id, "message_type": setting.message_type, "output": "email"}
        if undo:
            Preference.objects.filter(**lookup).delete()
            return "restored"
        if (setting.logged_in, setting.logged_off) == (False, False):
            Preference.objects.filter(**lookup).delete()
        else:
            Preference.objects.update_or_create(
                **lookup, defaults={"logged_in": False, "logged_off": False}
            )
    return "off"


def message_type_name(key: str) -> str:
    return MessageType.objects.values_list("name", flat=True).get(key=key)


# Quiet hours ----------------------------------------------------------------------------------

QUIET_FIELDS = ("enabled", "start", "end", "weekends")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$")


class QuietHoursErrors(ValueError):
    """Bad quiet-hours settings: `errors` maps each wrong field to why. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid quiet hours")
        self.errors = errors


def user_messaging(user) -> UserMessaging:
    """The user's switches that are not per message type ("no email at all", quiet hours),
    their defaults when never saved. One query."""
    return UserMessaging.objects.filter(user=user).first() or UserMessaging(user=user)


def _quiet_settings(row: UserMessaging, zone: str) -> QuietHours:
    return QuietHours(
        enabled=row.quiet_hours_enabled,
        start=row.quiet_hours_start,
        end=row.quiet_hours_end,
        weekends=row.quiet_hours_weekends,
        timezone=zone,
    )


def quiet_hours_of(
    user, now: datetime.datetime | None = None, row: UserMessaging | None = None
) -> dict:
    """The user's quiet hours as the page and the API show them: `enabled`, `start` and `end`
    ("HH:MM", in `timezone`, the user's), `weekends`, and `quiet_until` (when the current
    quiet period ends, ISO 8601 in UTC, or None when email goes out now). One query, none
    when given the user's `row` (user_messaging)."""
    row = row or user_messaging(user)
    until = quiet_until(_quiet_settings(row, user.timezone), now or timezone.now())
    return {
        "enabled": row.quiet_hours_enabled,
        "start": row.quiet_hours_start.strftime("%H:%M"),
        "end": row.quiet_hours_end.strftime("%H:%M"),
        "weekends": row.quiet_hours_weekends,
        "timezone": user.timezone,
        "quiet_until": until.isoformat() if until else None,
    }


def set_quiet_hours(user, changes) -> dict:
    """Changes the listed quiet-hours fields (`enabled`, `weekends`: booleans; `start`, `end`:
    "HH:MM" 24-hour times in the user's zone), all or nothing; the others keep their values.
    Raises QuietHoursErrors for an unknown field, a wrong value, or a start equal to the end
    (an empty range). The user's email already held for quiet hours is re-timed to the new
    ones (sent at once when they are over or off). Returns quiet_hours_of(user)."""
    if not isinstance(changes, dict):
        raise QuietHoursErrors({"non_field_errors": _("Send an object of quiet-hours fields.")})
    errors: dict[str, str] = {}
    for name in set(changes) - set(QUIET_FIELDS):
        errors[name] = _("Not a quiet-hours setting: use %s.") % ", ".join(QUIET_FIELDS)
    row = user_messaging(user)
    values = {
        "enabled": row.quiet_hours_enabled,
        "start": row.quiet_hours_start,
        "end": row.quiet_hours_end,
        "weekends": row.quiet_hours_weekends,
    }
    for name in ("enabled", "weekends"):
        if name in changes:
            if isinstance(changes[name], bool):
                values[name] = changes[name]
            else:
                errors[name] = _("Must be true or false.")
    for name in ("start", "end"):
        if name in changes:
            text = changes[name]
            if isinstance(text, str) and _TIME.match(text.strip()):
                values[name] = datetime.time.fromisoformat(text.strip())
            else:
                errors[name] = _("Must be a time as HH:MM, from 00:00 to 23:59.")
    if "start" not in errors and "end" not in errors and values["start"] == values["end"]:
        errors["end"] = _(
            "Must differ from the start: quiet hours from %(time)s to %(time)s are empty."
        ) % {"time": values["start"].strftime("%H:%M")}
    if errors:
        raise QuietHoursErrors(errors)
    with transaction.atomic():
        row.quiet_hours_enabled = values["enabled"]
        row.quiet_hours_start = values["start"]
        row.quiet_hours_end = values["end"]
        row.quiet_hours_weekends = values["weekends"]
        row.save()
        _retime_held_email(user, _quiet_settings(row, user.timezone))
    return quiet_hours_of(user)


def _retime_held_email(user, settings: QuietHours) -> int:
    """The user's email waiting for quiet hours now waits for the new ones: until they end, or
    not at all when they are over or off (queued after commit). One UPDATE, and one per other
    output that holds rows and can re-time them (`retime_held(user_id, until, now)`, e.g.
    push)."""
    from notifications import outputs
    from notifications.email import enqueue
    from notifications.models import EmailDelivery

    now = timezone.now()
    until = quiet_until(settings, now) or now
    count = EmailDelivery.objects.filter(
        user=user, status=EmailDelivery.Status.PENDING, held_until__isnull=False
    ).update(next_attempt_at=until, held_until=until)
    if count and until == now:
        transaction.on_commit(lambda: enqueue(None, count))
    for output in outputs.registered().values():
        retime = getattr(output, "retime_held", None)
        if retime is not None:
            retime(user.pk, until, now)
    return count


# Email cadence --------------------------------------------------------------------------------

CADENCE_FIELDS = ("default", "features")


class CadenceErrors(ValueError):
    """Bad cadence changes: `errors` maps each wrong field (`default`, `features`, or
    `features.<feature>`) to why. Nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid email cadence")
        self.errors = errors


def cadence_features(user) -> list[tuple[str, str]]:
    """(label, name) of each feature with a type the user can receive, by name. One query."""
    visible = visible_keys(user_audiences(user))
    return features_of(
        (t.feature, t.feature_name) for t in catalogue.all_types() if t.key in visible
    )


def features_of(pairs) -> list[tuple[str, str]]:
    """The distinct (label, name) pairs, by name."""
    return sorted(set(pairs), key=lambda f: (f[1].lower(), f[0]))


def cadence_of(user, features: list[tuple[str, str]] | None = None) -> dict:
    """The user's email cadence as the page and the API show it: `default` (their choice for
    all features, or None: the site's), `site_default`, and `features`, one item per feature
    they can receive with `feature`, `name`, `cadence` (their choice, or None: their default)
    and `effective` (what applies). Two queries; one when given the `features`."""
    features = features if features is not None else cadence_features(user)
    chosen, site = user_cadences(user.pk)
    default = chosen.get(ALL_FEATURES)
    return {
        "default": default,
        "site_default": site,
        "features": [
            {
                "feature": label,
                "name": name,
                "cadence": chosen.get(label),
                "effective": chosen.get(label) or default or site,
            }
            for label, name in features
        ],
    }


def _cadence_value(value, errors: dict, field: str):
    if value is None or value in Cadence.values:
        return value
    errors[field] = _("Must be one of %(choices)s, or null.") % {
        "choices": ", ".join(Cadence.values)
    }
    return None


def set_cadence(user, changes) -> dict:
    """Changes the user's email cadence, all or nothing: `default` (a cadence for all
    features, or None for the site's) and/or `features` ({feature label: a cadence, or None
    for their default}; only features they can receive). Raises CadenceErrors. Email already
    waiting for a digest goes by the new choice at the next email.send_digests run (at once
    for "immediately", dropped for "never"). Returns cadence_of(user)."""
    if not isinstance(changes, dict):
        raise CadenceErrors({"non_field_errors": _("Send an object with default and/or features.")})
    errors: dict[str, str] = {}
    for name in set(changes) - set(CADENCE_FIELDS):
        errors[name] = _("Not an email frequency setting: use %s.") % ", ".join(CADENCE_FIELDS)
    features = cadence_features(user)
    known = {label for label, _name in features}
    wanted: dict[str, str | None] = {}
    if "default" in changes:
        wanted[ALL_FEATURES] = _cadence_value(changes["default"], errors, "default")
    by_feature = changes.get("features", {})
    if not isinstance(by_feature, dict):
        errors["features"] = _("Must be an object of feature: cadence.")
    else:
        for label, value in by_feature.items():
            field = f"features.{label}"
            if label not in known:
                errors[field] = _("Not a feature you receive messages from.")
                continue
            wanted[label] = _cadence_value(value, errors, field)
    if errors:
        raise CadenceErrors(errors)
    with transaction.atomic():
        cleared = [f for f, c in wanted.items() if c is None]
        if cleared:
            EmailCadence.objects.filter(user=user, feature__in=cleared).delete()
        for feature, cadence in wanted.items():
            if cadence is not None:
                EmailCadence.objects.update_or_create(
                    user=user, feature=feature, defaults={"cadence": cadence}
                )
    return cadence_of(user, features)
