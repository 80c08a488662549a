import json

from django.core.management.base import BaseCommand

from notifications import catalogue


class Command(BaseCommand):
    help = "Prints the message catalogue: every message type the product sends."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="One JSON array of objects.")

    def handle(self, *args, **options):
        types = catalogue.all_types()
        if options["json"]:
            self.stdout.write(json.dumps([t.as_dict() for t in types], indent=2))
            return
        rows = [("key", "kind", "feature", "web", "email", "name")]
        for t in types:
            web, email = t.outputs["web"], t.outputs["email"]
            rows.append((t.key, t.kind, t.feature_name, web.permission, email.permission, t.name))
        widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [str(c).ljust(w) for c, w in zip(row, widths, strict=False)]
            self.stdout.write("  ".join([*cells, row[-1]]))
        self.stdout.write(f"\n{len(types)} message types")
