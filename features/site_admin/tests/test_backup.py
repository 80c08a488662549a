import shutil
import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from features.courses.tests.helpers import french_template
from features.site_admin.models import BackupRun, Event, Rule, RuleSubscription

from .conftest import emails, told

# The command runs outside any transaction (as `manage.py backup` does), so the SQLite backup
# is not blocked by the lock of a test transaction.
pytestmark = pytest.mark.django_db(transaction=True)
KEY = "site_admin.backup_completed"
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite backup runs on SQLite (the default)"
)


def backup(capture, *args) -> str:
    out = StringIO()
    with capture(execute=True):
        call_command("backup", *args, stdout=out)
    return out.getvalue()


@sqlite_only
def test_the_backup_copies_the_sqlite_database_and_tells_the_site_admins(
    admins, tmp_path, django_capture_on_commit_callbacks
):
    target = tmp_path / "site.sqlite3"
    out = backup(django_capture_on_commit_callbacks, "--output", str(target))

    assert f"Backed up the database to {target}" in out
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        tables = {row[0] for row in copy.execute("SELECT name FROM sqlite_master")}
        # The copy holds the site's data as this connection sees it.
        users = copy.execute("SELECT username FROM accounts_user ORDER BY username").fetchall()
    assert {"accounts_user", "notifications_event", "forums_post", "site_admin_backuprun"} <= tables
    assert [u[0] for u in users] == ["ada", "alan", "lee", "retired"]
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.SUCCEEDED
    assert run.path == str(target)
    assert run.size_bytes == target.stat().st_size > 0
    assert run.database == "sqlite"
    assert run.finished_at >= run.started_at
    assert not list(tmp_path.glob("*.partial"))

    assert told(KEY) == ["ada", "alan"]
    message = emails(KEY)[0]
    assert message.subject == "Automated backup completed"
    assert "Backed up: 1\nFailed: 0" in message.body


@sqlite_only
def test_a_database_locked_for_too_long_fails_the_backup(
    admins, tmp_path, settings, django_capture_on_commit_callbacks
):
    from django.db import transaction

    settings.SITE_ADMIN_BACKUP_TIMEOUT_SECONDS = 0.2
    with pytest.raises(CommandError, match="stayed locked"), transaction.atomic():
        BackupRun.objects.create(path="held", database="sqlite")  # holds the write lock
        backup(django_capture_on_commit_callbacks, "--output", str(tmp_path / "x.sqlite3"))


@sqlite_only
def test_without_an_output_the_backup_goes_to_the_backup_directory(
    admins, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.SITE_ADMIN_BACKUP_DIR = tmp_path / "backups"
    backup(django_capture_on_commit_callbacks)
    [made] = (tmp_path / "backups").glob("backup-*.sqlite3")
    assert BackupRun.objects.get().path == str(made)


def test_a_failed_backup_is_recorded_and_the_admins_are_told_it_failed(
    admins, tmp_path, django_capture_on_commit_callbacks
):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the directory should be")
    with pytest.raises(CommandError, match="The backup failed: Cannot write"):
        backup(django_capture_on_commit_callbacks, "--output", str(blocker / "db.backup"))
    run = BackupRun.objects.get()
    assert run.status == BackupRun.Status.FAILED
    assert "Cannot write" in run.error
    assert run.size_bytes is None
    assert told(KEY) == ["ada", "alan"]
    message = emails(KEY)[0]
    assert message.subject == "Automated backup finished with errors"
    assert "Failed: 1" in message.body
    assert "Please check the backup logs" in message.body


def test_the_backup_notice_reaches_each_admin_in_their_language(
    admins, tmp_path, django_capture_on_commit_callbacks
):
    ada, alan = admins
    alan.language = "fr"
    alan.save()
    french_template(
        KEY,
        "Sauvegarde {% if failed %}en échec{% else %}terminée{% endif %}",
        "Bonjour {{ recipient }}, sauvegardés : {{ succeeded }}, en échec : {{ failed }}.",
    )
    blocker = tmp_path / "file"  # a failed run: it needs no particular database
    blocker.write_text("x")
    with pytest.raises(CommandError):
        backup(django_capture_on_commit_callbacks, "--output", str(blocker / "db.backup"))
    [to_ada] = emails(KEY, ada)
    assert to_ada.subject == "Automated backup finished with errors"
    assert "Backed up: 0\nFailed: 1" in to_ada.body
    [to_alan] = emails(KEY, alan)
    assert to_alan.subject == "Sauvegarde en échec"
    assert "Bonjour Alan, sauvegardés : 0, en échec : 1." in to_alan.body
    assert "Backed up" not in to_alan.body


def test_a_failed_backup_can_trigger_a_monitoring_rule(
    admins, tmp_path, django_capture_on_commit_callbacks
):
    rule = Rule.objects.create(name="Backups failing", event_name="backup.failed", threshold=1)
    RuleSubscription.objects.create(rule=rule, user=admins[0])
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CommandError):
        backup(django_capture_on_commit_callbacks, "--output", str(blocker / "db.backup"))
    assert told("site_admin.rule_subscription") == ["ada"]
    assert Event.objects.get().name == "backup.failed"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump runs on PostgreSQL only")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
def test_on_postgresql_pg_dump_writes_the_backup(
    admins, tmp_path, django_capture_on_commit_callbacks
):
    target = tmp_path / "site.dump"
    backup(django_capture_on_commit_callbacks, "--output", str(target))
    assert target.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    run = BackupRun.objects.get()
    assert (run.status, run.database, run.size_bytes) == (
        BackupRun.Status.SUCCEEDED,
        "postgresql",
        target.stat().st_size,
    )
    assert told(KEY) == ["ada", "alan"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump runs on PostgreSQL only")
def test_on_postgresql_a_missing_pg_dump_is_a_failed_backup(
    admins, tmp_path, settings, django_capture_on_commit_callbacks
):
    settings.SITE_ADMIN_PG_DUMP = "pg_dump-that-does-not-exist"
    with pytest.raises(CommandError, match="pg_dump is not installed"):
        backup(django_capture_on_commit_callbacks, "--output", str(tmp_path / "x.dump"))
    assert "Failed: 1" in emails(KEY)[0].body
