"""Message types of HR Import (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P, Urgency

hr_import = Feature("hr_import", "HR Import", audiences=(Audience.ADMIN,))

FINISHED_AT = P("finished_at", "When the import run finished")
ELEMENTS = P("elements", "What the run imported, e.g. users, positions", required=False)

hr_import.message(
    "hr_import.errors",
    kind=Kind.ALERT,
    name="HR Import errors",
    description="An HR Import run finishes with errors.",
    recipients="site admins / configured recipients",
    placeholders=[
        FINISHED_AT,
        P("error_count", "How many errors the run logged"),
        ELEMENTS,
    ],
    subject="HR Import finished with {{ error_count }} error{{ error_count|pluralize }}",
    body=(
        "The HR Import run{% if elements %} of {{ elements }}{% endif %} that finished at "
        "{{ finished_at }} logged {{ error_count }} error{{ error_count|pluralize }}. Some "
        "records may not have been imported.\n\nPlease check the HR Import log for details."
    ),
    urgency=Urgency.URGENT,
)

hr_import.message(
    "hr_import.warnings",
    kind=Kind.ALERT,
    name="HR Import warnings",
    description="An HR Import run finishes with warnings.",
    recipients="site admins / configured recipients",
    placeholders=[
        FINISHED_AT,
        P("warning_count", "How many warnings the run logged"),
        ELEMENTS,
    ],
    subject="HR Import finished with {{ warning_count }} warning{{ warning_count|pluralize }}",
    body=(
        "The HR Import run{% if elements %} of {{ elements }}{% endif %} that finished at "
        "{{ finished_at }} logged {{ warning_count }} warning{{ warning_count|pluralize }}."
        "\n\nPlease check the HR Import log for details."
    ),
)
