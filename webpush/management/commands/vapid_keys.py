from django.core.management.base import BaseCommand

from webpush.keys import generate_pair


class Command(BaseCommand):
    help = "Prints a new VAPID key pair as environment variables for push notifications."

    def handle(self, *args, **options):
        private, public = generate_pair()
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write("VAPID_SUBJECT=mailto:admin@example.com  # who push services may contact")
