from django.core.management.base import BaseCommand

from totara_messaging import demo


class Command(BaseCommand):
    help = "Loads the demo site (users, managers, courses, messages). Idempotent."

    def handle(self, *args, **options):
        created, people = demo.load()
        if created:
            self.stdout.write("Demo site loaded.")
        else:
            self.stdout.write("The demo site was already loaded; nothing changed.")
        self.stdout.write(f"Log in as any of these, password {demo.PASSWORD}:")
        for username, full_name, role in people:
            self.stdout.write(f"  {username:<8} {full_name:<18} {role}")
