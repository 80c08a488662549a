"""Periodic jobs: declared by apps in their `scheduled.py`, run by Celery beat or `manage.py cron`.

Each job computes "what is due now" from the database, so running it twice sends nothing new, and
a cache lock keeps one job from overlapping itself across processes.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    run: Callable[[], object]
    every_seconds: int
    lock_seconds: int


_jobs: dict[str, Job] = {}


def periodic(name: str, *, every_seconds: int, lock_seconds: int = 600):
    """Registers the decorated function as a periodic job; it returns something worth logging."""

    def register(function):
        _jobs[name] = Job(name, function, every_seconds, lock_seconds)
        return function

    return register


def all_jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


class JobBusy(RuntimeError):
    pass


def run(name: str):
    """Runs one job now unless another process is running it; raises JobBusy then."""
    job = _jobs[name]
    lock = f"job-lock:{name}"
    if not cache.add(lock, 1, job.lock_seconds):
        raise JobBusy(f"{name} is already running")
    try:
        result = job.run()
        logger.info("job %s: %s", name, result)
        return result
    finally:
        cache.delete(lock)
