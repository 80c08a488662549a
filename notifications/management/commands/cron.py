from django.core.management.base import BaseCommand

from notifications import jobs


class Command(BaseCommand):
    help = "Runs every periodic job once (what Celery beat runs on a schedule)."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Only these jobs (default: all).")

    def handle(self, *names, **options):
        wanted = set(options["names"])
        known = {job.name for job in jobs.all_jobs()}
        unknown = wanted - known
        if unknown:
            self.stderr.write(f"Unknown jobs: {', '.join(sorted(unknown))}. Known: {sorted(known)}")
            raise SystemExit(2)
        for job in jobs.all_jobs():
            if wanted and job.name not in wanted:
                continue
            try:
                result = jobs.run(job.name)
            except jobs.JobBusy:
                self.stdout.write(f"{job.name}: already running elsewhere, skipped")
            else:
                self.stdout.write(f"{job.name}: {result}")
