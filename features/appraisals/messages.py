"""Message types of appraisals (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P

appraisals = Feature(
    "appraisals",
    "Appraisals",
    audiences=(Audience.LEARNER, Audience.MANAGER),
)

APPRAISAL = P("appraisal", "The appraisal's name")
LEARNER = P("learner", "The full name of the learner being appraised")
ROLE = P("role", "The recipient's role in the appraisal, e.g. manager or appraiser", required=False)

appraisals.message(
    "appraisals.activation",
    kind=Kind.TASK,
    name="Appraisal activation",
    description="An appraisal is activated for a learner.",
    recipients="learner and each role in it (manager, team lead, appraiser)",
    placeholders=[
        APPRAISAL,
        LEARNER,
        ROLE,
        P("stage", "The name of the first stage", required=False),
        P("due_date", "When the first stage is due", required=False),
    ],
    subject="Appraisal {{ appraisal }} has started",
    body=(
        "The appraisal {{ appraisal }} of {{ learner }} has been activated"
        "{% if role %}, and you take part in it as {{ role }}{% endif %}."
        "{% if stage %}\n\nThe first stage is {{ stage }}"
        "{% if due_date %}, due on {{ due_date }}{% endif %}.{% endif %}"
        "\n\nPlease open the appraisal to complete your part."
    ),
)

appraisals.message(
    "appraisals.stage_completion",
    kind=Kind.TASK,
    name="Appraisal stage completion",
    description="A stage of an appraisal is completed and the next stage needs its roles.",
    recipients="roles of the next stage",
    placeholders=[
        APPRAISAL,
        LEARNER,
        ROLE,
        P("completed_stage", "The name of the stage that was completed"),
        P("next_stage", "The name of the stage that is now open"),
        P("due_date", "When the next stage is due", required=False),
    ],
    subject="{{ appraisal }}: {{ next_stage }} is ready for you",
    body=(
        "The stage {{ completed_stage }} of the appraisal {{ appraisal }} of {{ learner }} is "
        "complete. The next stage, {{ next_stage }}, needs your input"
        "{% if role %} as {{ role }}{% endif %}{% if due_date %} by {{ due_date }}{% endif %}."
        "\n\nPlease open the appraisal to complete your part."
    ),
)

appraisals.message(
    "appraisals.closed",
    kind=Kind.ALERT,
    name="Appraisal closed",
    description="An appraisal is closed.",
    recipients="learner and its roles",
    placeholders=[
        APPRAISAL,
        LEARNER,
        P("comment", "The message given when closing it", required=False),
    ],
    subject="Appraisal {{ appraisal }} has been closed",
    body=(
        "The appraisal {{ appraisal }} of {{ learner }} has been closed"
        "{% if sender %} by {{ sender }}{% endif %}. No further changes can be made to it."
        "{% if comment %}\n\n{{ comment }}{% endif %}"
    ),
)
