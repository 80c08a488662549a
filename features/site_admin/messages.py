"""Message types of site administration (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P, Urgency

site_admin = Feature("site_admin", "Admin", audiences=(Audience.ADMIN,))

# What a notice about a logged record says besides its message (site_admin.logging).
LOGGED = [
    P("logger", "The name of the logger that recorded it", required=False),
    P("location", "The file and line where it was logged", required=False),
    P("function", "The function where it was logged", required=False),
    P(
        "repeats",
        "In a notice about a burst: how many more times it happened after the first report",
        required=False,
    ),
    P("window_minutes", "In a notice about a burst: the minutes it counts over", required=False),
]
LOGGED_DETAILS = P("details", "The traceback, if there is one", required=False)
# The words of a logged notice after its message (the same for errors and minor problems).
LOGGED_BODY = (
    "{% if repeats %}\n\nThis happened {% if repeats == 1 %}once more{% else %}{{ repeats }} "
    "more times{% endif %} within {{ window_minutes }} minutes of the first report (the last "
    "of them not sent separately).{% endif %}"
    "{% if logger or location or details %}\n\nDetails:{% if logger %}\nLogger: {{ logger }}"
    "{% endif %}{% if location %}\nWhere: {{ location }}{% if function %} in {{ function }}"
    "{% endif %}{% endif %}{% if details %}\n\n{{ details }}{% endif %}{% endif %}"
)

site_admin.message(
    "site_admin.errors",
    kind=Kind.EMAIL,
    name="Important errors with the site",
    description="A major error is recorded on the site.",
    recipients="site admins",
    placeholders=[
        P("error", "The error's message"),
        P("occurred_at", "When the error happened", required=False),
        *LOGGED,
        LOGGED_DETAILS,
    ],
    subject="Important error on {{ site_name }}",
    body=(
        "Hello {{ recipient }},\n\nA major error was recorded on {{ site_name }}"
        "{% if occurred_at %} at {{ occurred_at }}{% endif %}:\n\n{{ error }}"
        + LOGGED_BODY
        + "\n\nPlease look into it as soon as you can."
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
        P("event_count", "How many such events happened in the rule's window", required=False),
        P("window_minutes", "The rule's window, in minutes", required=False),
        P("threshold", "How many events in the window trigger the rule", required=False),
        P("details", "The rule's description, as its admins wrote it", required=False),
    ],
    subject="Rule triggered: {{ rule }}",
    body=(
        "Hello {{ recipient }},\n\nThe event monitoring rule {{ rule }} was triggered by "
        "{{ event }}.{% if event_count %}\n\n{{ event_count }} event{{ event_count|pluralize }}"
        " of type {{ event }} in the last {{ window_minutes }} minutes (the rule triggers at "
        "{{ threshold }}).{% endif %}{% if details %}\n\n{{ details }}{% endif %}"
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
        P("occurred_at", "When it happened", required=False),
        *LOGGED,
        LOGGED_DETAILS,
    ],
    subject="Minor problem on {{ site_name }}",
    body=(
        "Hello {{ recipient }},\n\nA minor problem was recorded on {{ site_name }}:\n\n"
        "{{ problem }}" + LOGGED_BODY
    ),
)
