"""Site administration: backups, the update check, event monitoring and notices to site admins.

Site admins are the active superusers. Each action changes its state, then calls
`notifications.send` once for all its recipients.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

import notifications
from features.site_admin import backup, updates
from features.site_admin.models import BackupRun, Event, Rule

logger = logging.getLogger(__name__)


def site_admins() -> QuerySet:
    return get_user_model().objects.filter(is_superuser=True, is_active=True)


# Backups ------------------------------------------------------------------------------------


def run_backup(output: str | Path | None = None) -> BackupRun:
    """Dumps the database to `output` (default: a new file under SITE_ADMIN_BACKUP_DIR), records
    the run, and tells the site admins how it went (backup_completed, also when it failed).
    Never raises for a failed dump: the run's status and error say what happened."""
    from django.db import connection

    started = timezone.now()
    path = (
        Path(output)
        if output
        else backup.default_path(connection.vendor, started.strftime("%Y%m%d-%H%M%S"))
    )
    run = BackupRun.objects.create(
        path=str(path.resolve()), database=connection.vendor, started_at=started
    )
    try:
        run.size_bytes = backup.dump(path)
    except backup.BackupError as error:
        run.status, run.error = BackupRun.Status.FAILED, str(error)
        logger.warning("backup %s failed: %s", run.pk, error)
    else:
        run.status = BackupRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    succeeded = run.status == BackupRun.Status.SUCCEEDED
    with transaction.atomic():
        run.save(update_fields=["size_bytes", "status", "error", "finished_at"])
        # The catalogue counts per course (Totara backs up courses); this backup is one dump.
        notifications.send(
            "site_admin.backup_completed",
            site_admins(),
            context={"total": 1, "succeeded": int(succeeded), "failed": int(not succeeded)},
            url=f"/admin/site_admin/backuprun/{run.pk}/change/",
            dedupe_key=f"backup:{run.pk}",
            data={"backup_run": run.pk, "path": run.path, "error": run.error},
        )
        record_event(
            "backup.completed" if succeeded else "backup.failed",
            path=run.path,
            size_bytes=run.size_bytes,
            error=run.error,
        )
    return run


# Updates ------------------------------------------------------------------------------------


def check_for_updates() -> dict:
    """Reads the release feed and tells the site admins about a newer version, once per
    version (the dedupe key). A missing, broken or slow feed is logged and sends nothing."""
    url = getattr(settings, "SITE_ADMIN_RELEASE_FEED_URL", "")
    if not url:
        return {"checked": False, "reason": "SITE_ADMIN_RELEASE_FEED_URL is not set"}
    current = updates.current_version()
    if current is None:
        logger.warning("update check skipped: the site's own version is unknown")
        return {"checked": False, "reason": "unknown current version"}
    timeout = getattr(settings, "SITE_ADMIN_RELEASE_FEED_TIMEOUT_SECONDS", 10)
    try:
        release = updates.fetch_release(url, timeout)
    except updates.FeedError as error:
        logger.warning("update check failed: %s", error)
        return {"checked": False, "error": str(error)}
    if updates.parse_version(release.version) <= updates.parse_version(current):
        return {"checked": True, "newer": False, "current": current}
    context = {"version": release.version, "current_version": current}
    if release.url:
        context["release_notes"] = release.url
    result = notifications.send(
        "site_admin.available_updates",
        site_admins(),
        context=context,
        url=release.url,
        dedupe_key=f"release:{release.version}",
    )
    return {"checked": True, "newer": release.version, "notified": result.recipients}


# Event monitoring ---------------------------------------------------------------------------


def record_event(name: str, user=None, **data) -> Event:
    """Logs an event for the monitoring rules (in the caller's transaction) and checks the
    active rules that count this event. `data` must be JSON (dates are fine)."""
    name = str(name).strip()
    if not name:
        raise ValueError("An event needs a name.")
    user_id = user.pk if isinstance(user, Model) else user
    event = Event.objects.create(name=name, user_id=user_id, data=data)
    check_rules(now=event.created_at, names=[name])
    return event


def check_rules(now: datetime | None = None, names=None) -> dict[str, int]:
    """Triggers each active rule with at least N events of its type in the last M minutes, at
    most once per M minutes (a conditional update claims the trigger), telling its
    subscribers with one send(). One count query per rule checked."""
    now = now or timezone.now()
    rules = Rule.objects.filter(active=True)
    if names is not None:
        rules = rules.filter(event_name__in=list(names))
    triggered = 0
    for rule in rules:
        since = now - timedelta(minutes=rule.window_minutes)
        if rule.last_triggered_at and rule.last_triggered_at > since:
            continue
        count = Event.objects.filter(
            name=rule.event_name, created_at__gt=since, created_at__lte=now
        ).count()
        if count < rule.threshold:
            continue
        with transaction.atomic():
            claimed = (
                Rule.objects.filter(pk=rule.pk)
                .filter(Q(last_triggered_at__isnull=True) | Q(last_triggered_at__lte=since))
                .update(last_triggered_at=now)
            )
            if not claimed:
                continue
            notifications.send(
                "site_admin.rule_subscription",
                # Only people who can open the rule in the admin, which the notice links.
                get_user_model()
                .objects.with_perm("site_admin.view_rule")
                .filter(rule_subscriptions__rule=rule, is_staff=True),
                context={
                    "rule": rule.name,
                    "event": rule.event_name,
                    "event_count": count,
                    "window_minutes": rule.window_minutes,
                    "threshold": rule.threshold,
                    "details": rule.description,
                },
                url=f"/admin/site_admin/rule/{rule.pk}/change/",
                dedupe_key=f"rule:{rule.pk}:{now.isoformat()}",
            )
            triggered += 1
    return {"triggered": triggered}
