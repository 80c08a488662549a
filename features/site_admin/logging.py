"""A logging handler that tells the site admins about errors and warnings.

ERROR and above become site_admin.errors, WARNING becomes site_admin.minor_problems. A burst
of the same problem (same logger, same message template) is rate-limited through the cache in
fixed windows of SITE_ADMIN_LOG_WINDOW_SECONDS (300): the first occurrence in a window is sent
at once; the later ones are counted and sent as one message with the count once the window
has ended (the periodic job site_admin.flush_log_bursts). Enable it in settings.LOGGING:

    "handlers": {..., "notify_admins": {
        "class": "features.site_admin.logging.NotifyAdminsHandler", "level": "WARNING"}},
    "root": {"handlers": ["console", "notify_admins"], ...},

The handler never raises and never recurses: records of the messaging machinery's own loggers
are ignored, and a thread-local flag drops whatever is logged while a notice is being sent.
Delivery goes through a Celery task, so a notice never joins (and is never rolled back with)
the transaction of the code that logged.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
import traceback

from django.conf import settings
from django.core.cache import cache

ERRORS = "site_admin.errors"
MINOR = "site_admin.minor_problems"
# Loggers whose records could come from sending a notice (and so loop) are never turned into one.
IGNORED_LOGGERS = (
    "notifications",
    "alerts",
    "instant",
    "celery",
    "kombu",
    "amqp",
    "redis",
    "features.site_admin",
    "django.db.backends",
)
PREFIX = "site-admin-log"
INDEX = f"{PREFIX}:pending"
INDEX_TIMEOUT = 7 * 24 * 3600
MAX_MESSAGE = 2000
MAX_TRACEBACK = 10000

_local = threading.local()


class sending:
    """Marks this thread as sending a notice: anything it logs meanwhile is not reported."""

    def __enter__(self):
        self.previous = getattr(_local, "busy", False)
        _local.busy = True

    def __exit__(self, *exc):
        _local.busy = self.previous


def window_seconds() -> int:
    return max(int(getattr(settings, "SITE_ADMIN_LOG_WINDOW_SECONDS", 300)), 1)


def _ignored(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in IGNORED_LOGGERS)


class NotifyAdminsHandler(logging.Handler):
    """Turns WARNING and ERROR records into notices to the site admins, rate-limited."""

    def __init__(self, level=logging.WARNING):
        super().__init__(level)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(_local, "busy", False) or record.levelno < logging.WARNING:
            return
        if _ignored(record.name):
            return
        try:
            with sending():
                from django.apps import apps

                if apps.ready:
                    _report(record)
        except Exception:
            # Never break the code that logs; handleError writes to stderr, it does not log.
            self.handleError(record)


def describe(record: logging.LogRecord) -> dict:
    """What a notice says about a record, as JSON values (for the task and the cache)."""
    try:
        message = record.getMessage()
    except Exception:
        message = str(record.msg)
    trace = ""
    if record.exc_info:
        trace = "".join(traceback.format_exception(*record.exc_info))[-MAX_TRACEBACK:]
    return {
        "message": message[:MAX_MESSAGE],
        "logger": record.name,
        "where": f"{record.pathname}:{record.lineno}",
        "function": record.funcName,
        "traceback": trace,
        "occurred": record.created,
    }


def _report(record: logging.LogRecord) -> None:
    key = ERRORS if record.levelno >= logging.ERROR else MINOR
    template = f"{key}\0{record.name}\0{record.msg}"
    fingerprint = hashlib.sha1(template.encode(), usedforsecurity=False).hexdigest()[:20]
    window = window_seconds()
    bucket = int(time.time() // window)
    slot = f"{PREFIX}:{fingerprint}:{bucket}"
    keep = window * 2 + 3600  # outlives the window until the flush job has run
    if cache.add(f"{slot}:first", 1, timeout=keep):
        _deliver(key, describe(record), repeats=0, window=window)
        return
    counter = f"{slot}:count"
    if not cache.add(counter, 1, timeout=keep):
        try:
            cache.incr(counter)
        except ValueError:  # expired in between
            cache.set(counter, 1, timeout=keep)
    # The index lets the flush job find the window; written only when the slot is missing
    # (a rare lost update is repaired by the next repeat of the same problem).
    index = cache.get(INDEX) or {}
    if slot not in index:
        index[slot] = {"key": key, "ends_at": (bucket + 1) * window, "window": window}
        index[slot].update(describe(record))
        cache.set(INDEX, index, timeout=INDEX_TIMEOUT)


def _deliver(key: str, description: dict, *, repeats: int, window: int) -> None:
    from features.site_admin.tasks import notify_site_admins

    notify_site_admins.delay(key, description, repeats, window)


def flush_bursts(now: float | None = None) -> dict[str, int]:
    """Sends one notice with the count for each window that has ended with repeats in it."""
    now = time.time() if now is None else now
    index = cache.get(INDEX) or {}
    ended = {slot: meta for slot, meta in index.items() if meta["ends_at"] <= now}
    if not ended:
        return {"bursts": 0}
    cache.set(
        INDEX,
        {slot: meta for slot, meta in index.items() if slot not in ended},
        timeout=INDEX_TIMEOUT,
    )
    from features.site_admin.tasks import notify

    sent = 0
    for slot, meta in ended.items():
        repeats = cache.get(f"{slot}:count") or 0
        cache.delete(f"{slot}:count")
        if repeats:
            notify(meta["key"], meta, repeats, meta["window"])
            sent += 1
    return {"bursts": sent}


class SkipClientErrors(logging.Filter):
    """Drops warnings about bad requests (404s, 400s, CSRF failures): the visitor's mistake,
    not a problem of the site. Errors (500s) still pass."""

    def filter(self, record: logging.LogRecord) -> bool:
        noisy = record.name.startswith(("django.request", "django.security"))
        return not (noisy and record.levelno < logging.ERROR)
