import sys

from anymail.inbound import AnymailInboundMessage
from django.core.management.base import BaseCommand

from notifications import inbound


class Command(BaseCommand):
    help = "Processes one email (RFC 822, e.g. a .eml file) from standard input as a reply."

    def add_arguments(self, parser):
        parser.add_argument("--to", help="The envelope recipient, if not in the headers.")

    def handle(self, *args, **options):
        raw = sys.stdin.buffer.read()
        if not raw.strip():
            self.stderr.write("No email on standard input.")
            raise SystemExit(2)
        message = AnymailInboundMessage.parse_raw_mime_bytes(raw)
        reply = inbound.from_anymail(message)
        if options["to"]:
            reply.to_addresses.insert(0, options["to"])
        outcome = inbound.receive(reply)
        self.stdout.write(outcome)
        if outcome == "rejected":
            raise SystemExit(1)
