"""Dumping the database to a file: the SQLite backup API, or pg_dump for PostgreSQL.

Each function writes `path` completely or raises BackupError (leaving no partial file).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _


class BackupError(RuntimeError):
    """The dump could not be made; the message says why."""


def default_path(vendor: str, stamp: str) -> Path:
    directory = Path(getattr(settings, "SITE_ADMIN_BACKUP_DIR", settings.VAR_DIR / "backups"))
    suffix = {"sqlite": "sqlite3", "postgresql": "dump"}.get(vendor, "backup")
    return directory / f"backup-{stamp}.{suffix}"


def dump(path: Path) -> int:
    """Writes the default database to `path`; returns its size in bytes."""
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            _sqlite(partial)
        elif connection.vendor == "postgresql":
            _pg_dump(partial)
        else:
            raise BackupError(
                _("Backups of %(vendor)s databases are not supported.")
                % {"vendor": connection.vendor}
            )
        partial.replace(path)
        return path.stat().st_size
    except OSError as error:
        raise BackupError(
            _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
        ) from error
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)


def _sqlite(path: Path) -> None:
    """The online backup API: a consistent copy, even of a database in use.

    sqlite3's backup() retries for ever while the database is locked; the progress callback
    gives up after SITE_ADMIN_BACKUP_TIMEOUT_SECONDS without progress.
    """
    connection.ensure_connection()
    patience = getattr(settings, "SITE_ADMIN_BACKUP_TIMEOUT_SECONDS", 3600)
    deadline = [time.monotonic() + patience]

    def progress(status: int, remaining: int, total: int) -> None:
        if status == sqlite3.SQLITE_OK:
            deadline[0] = time.monotonic() + patience
        elif time.monotonic() > deadline[0]:
            raise BackupError(
                _("The database stayed locked for %(patience)s seconds.") % {"patience": patience}
            )

    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target, pages=1024, progress=progress, sleep=0.05)
    except sqlite3.Error as error:
        raise BackupError(_("The SQLite backup failed: %(error)s") % {"error": error}) from error
    finally:
        target.close()


def _pg_dump(path: Path) -> None:
    """pg_dump in its custom format (restore with pg_restore), with the site's connection."""
    executable = shutil.which(getattr(settings, "SITE_ADMIN_PG_DUMP", "pg_dump"))
    if executable is None:
        raise BackupError(_("pg_dump is not installed (it comes with the PostgreSQL client)."))
    db = connection.settings_dict
    command = [executable, "--format=custom", "--no-owner", f"--file={path}"]
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command += [option, str(db[key])]
    command += ["--dbname", str(db["NAME"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    try:
        done = subprocess.run(
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=getattr(settings, "SITE_ADMIN_BACKUP_TIMEOUT_SECONDS", 3600),
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise BackupError(
            _("pg_dump took longer than %(timeout)s seconds.") % {"timeout": error.timeout}
        ) from error
    if done.returncode != 0:
        raise BackupError(_("pg_dump failed: %(error)s") % {"error": done.stderr.strip()[:2000]})
