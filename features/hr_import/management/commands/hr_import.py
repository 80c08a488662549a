from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from features.hr_import.actions import import_users


class Command(BaseCommand):
    help = (
        "Creates and updates users and their managers from a CSV file with the columns "
        "username, email, full_name, language, timezone, manager_username."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file (UTF-8, header on the first line).")
        parser.add_argument("--by", metavar="USERNAME", help="Record the run as started by them.")

    def handle(self, *args, **options):
        path = Path(options["path"])
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(path)s: %(strerror)s.")
                % {"path": path, "strerror": error.strerror}
            ) from None
        actor = None
        if options["by"]:
            actor = get_user_model().objects.filter(username=options["by"]).first()
            if actor is None:
                raise CommandError(_("No user %(by)s.") % {"by": repr(options["by"])})
        run = import_users(content, source=path.name, actor=actor)
        self.stdout.write(
            f"{run.get_status_display()}: {run.row_count} rows, {run.created_count} created, "
            f"{run.updated_count} updated, {run.unchanged_count} unchanged, "
            f"{run.rejected_count} rejected; {run.error_count} errors, "
            f"{run.warning_count} warnings (run {run.pk})."
        )
        if run.issues:
            self.stdout.write(run.report)
