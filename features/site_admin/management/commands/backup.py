from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from features.site_admin.actions import run_backup
from features.site_admin.models import BackupRun


class Command(BaseCommand):
    help = (
        "Dumps the database to a file (SQLite: the backup API; PostgreSQL: pg_dump) and tells "
        "the site admins how it went."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            help="The file to write (default: a new file in SITE_ADMIN_BACKUP_DIR, var/backups).",
        )

    def handle(self, *args, **options):
        run = run_backup(options["output"])
        if run.status != BackupRun.Status.SUCCEEDED:
            raise CommandError(_("The backup failed: %(error)s") % {"error": run.error})
        self.stdout.write(f"Backed up the database to {run.path} ({run.size_bytes:,} bytes).")
