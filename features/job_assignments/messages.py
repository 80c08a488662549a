"""Message types of job assignments, Totara Core (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P

job_assignments = Feature("job_assignments", "Totara Core")

job_assignments.message(
    "job_assignments.temp_manager_updated",
    audiences=(Audience.LEARNER, Audience.MANAGER),
    kind=Kind.ALERT,
    name="Temporary manager updated",
    description="A learner's temporary manager is set, changed or expires.",
    recipients="the learner, the temporary manager (and the manager)",
    placeholders=[
        P("learner", "The learner's full name"),
        P("temp_manager", "The temporary manager's full name"),
        P("expiry_date", "When the temporary assignment ends", required=False),
        P("expired", "Set when the temporary assignment has ended", required=False),
    ],
    subject=(
        "{% if expired %}Temporary manager of {{ learner }} expired"
        "{% else %}New temporary manager for {{ learner }}{% endif %}"
    ),
    body=(
        "{% if expired %}{{ temp_manager }} is no longer the temporary manager of {{ learner }}"
        "{% if expiry_date %}; the assignment ended on {{ expiry_date }}{% endif %}."
        "{% else %}{{ temp_manager }} is now the temporary manager of {{ learner }}"
        "{% if expiry_date %} until {{ expiry_date }}{% endif %}.{% endif %}"
    ),
)
