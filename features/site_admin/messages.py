"""Message types of site administration (see shared/seed/catalogue.md)."""

from notifications.catalogue import Feature, Kind, P, Urgency

site_admin = Feature("site_admin", "Admin")

DETAILS = P("details", "Technical details, e.g. where it happened", required=False)

site_admin.message(
    "site_admin.errors",
    kind=Kind.EMAIL,
    name="Important errors with the site",
    description="A major error is recorded on the site.",
    recipients="site admins",
    placeholders=[
        P("error", "The error's message"),
        P("occurred_at", "When the error happened", required=False),
        DETAILS,
    ],
    subject="Important error on {{ site_name }}",
    body=(
        "Hello {{ recipient }},\n\nA major error was recorded on {{ site_name }}"
        "{% if occurred_at %} at {{ occurred_at }}{% endif %}:\n\n{{ error }}"
        "{% if details %}\n\nDetails:\n{{ details }}{% endif %}\n\n"
        "Please look into it as soon as you can."
    ),
    urgency=Urgency.URGENT,
)

site_admin.message(
    "site_admin.available_updates",
    kind=Kind.EMAIL,
    name="Available update notifications",
    description="A newer release of the platform is found.",
    recipients="site admins",
    placeholders=[
        P("version", "The newer release"),
        P("current_version", "The release the site runs", required=False),
        P("release_notes", "Where to read about the release", required=False),
    ],
    subject="Update available: {{ version }}",
    body=(
        "Hello {{ recipient }},\n\nA newer release, {{ version }}, is available for "
        "{{ site_name }}{% if current_version %} (this site runs {{ current_version }})"
        "{% endif %}.{% if release_notes %}\n\nRelease notes: {{ release_notes }}{% endif %}"
    ),
)

site_admin.message(
    "site_admin.backup_completed",
    kind=Kind.EMAIL,
    name="Backup notifications",
    description="An automated backup run completes.",
    recipients="site admins",
    placeholders=[
        P("total", "How many courses the run considered"),
        P("succeeded", "How many courses were backed up"),
        P("failed", "How many backups failed"),
        P("skipped", "How many courses were skipped as unchanged", required=False),
    ],
    subject="Automated backup {% if failed %}finished with errors{% else %}completed{% endif %}",
    body=(
        "Hello {{ recipient }},\n\nThe automated backup run on {{ site_name }} has completed."
        "\n\nCourses: {{ total }}\nBacked up: {{ succeeded }}\nFailed: {{ failed }}"
        "{% if skipped %}\nSkipped (unchanged): {{ skipped }}{% endif %}"
        "{% if failed %}\n\nPlease check the backup logs for the failures.{% endif %}"
    ),
)

site_admin.message(
    "site_admin.rule_subscription",
    kind=Kind.EMAIL,
    name="Notifications of rule subscriptions",
    description="An event-monitoring rule the recipient subscribes to is triggered.",
    recipients="the rule's subscribers",
    placeholders=[
        P("rule", "The rule's name"),
        P("event", "The event that triggered it"),
        DETAILS,
    ],
    subject="Rule triggered: {{ rule }}",
    body=(
        "Hello {{ recipient }},\n\nThe event monitoring rule {{ rule }} was triggered by "
        "{{ event }}.{% if details %}\n\n{{ details }}{% endif %}"
    ),
)

site_admin.message(
    "site_admin.minor_problems",
    kind=Kind.EMAIL,
    name="Notices about minor problems",
    description="A minor error is recorded on the site.",
    recipients="site admins",
    placeholders=[
        P("problem", "What went wrong"),
        DETAILS,
    ],
    subject="Minor problem on {{ site_name }}",
    body=(
        "Hello {{ recipient }},\n\nA minor problem was recorded on {{ site_name }}:\n\n"
        "{{ problem }}{% if details %}\n\nDetails:\n{{ details }}{% endif %}"
    ),
)
