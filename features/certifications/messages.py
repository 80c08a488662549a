"""Message types of certifications (see shared/seed/catalogue.md)."""

from features.programs.messages import MANAGER_COPY, MANAGER_PREFIX
from notifications.catalogue import Audience, Feature, Kind, P, Urgency

certifications = Feature("certifications", "Certifications")

CERTIFICATION = P("certification", "The certification's name")
LEARNER = P("learner", "The learner's full name")
DUE_DATE = P("due_date", "When the certification is due")
COURSE_SET = P("course_set", "The course set's name")
COURSE_SET_DUE_DATE = P("due_date", "When the course set is due")
WINDOW_CLOSES = P("window_closes", "When the re-certification window closes")

certifications.message(
    "certifications.extension_request",
    audiences=(Audience.MANAGER,),
    kind=Kind.TASK,
    name="Certification extension request",
    description="A learner asks for a due-date extension of a certification.",
    recipients="learner's manager (accept/decline)",
    placeholders=[
        CERTIFICATION,
        LEARNER,
        P("due_date", "The certification's current due date"),
        P("extension_date", "The due date the learner asks for"),
        P("reason", "The learner's reason", required=False),
    ],
    subject="{{ learner }} asks for an extension of {{ certification }}",
    body=(
        "{{ learner }} has asked for the due date of {{ certification }} to move from "
        "{{ due_date }} to {{ extension_date }}.{% if reason %}\n\nReason: {{ reason }}{% endif %}"
        "\n\nPlease accept or decline the request."
    ),
    actions=("accept", "decline"),
)

certifications.message(
    "certifications.extension_granted",
    kind=Kind.ALERT,
    name="Certification extension granted",
    description="The learner's manager accepts a request to extend a certification's due date.",
    recipients="learner",
    placeholders=[
        CERTIFICATION,
        P("extension_date", "The certification's new due date"),
        P("comment", "The manager's comment", required=False),
    ],
    subject="Your extension of {{ certification }} was granted",
    body=(
        "Your request for an extension of {{ certification }} has been accepted"
        "{% if sender %} by {{ sender }}{% endif %}. The certification is now due on "
        "{{ extension_date }}.{% if comment %}\n\nComment: {{ comment }}{% endif %}"
    ),
)

certifications.message(
    "certifications.extension_declined",
    kind=Kind.ALERT,
    name="Certification extension declined",
    description="The learner's manager declines a request to extend a certification's due date.",
    recipients="learner",
    placeholders=[
        CERTIFICATION,
        P("due_date", "The certification's unchanged due date"),
        P("reason", "The manager's reason", required=False),
    ],
    subject="Your extension of {{ certification }} was declined",
    body=(
        "Your request for an extension of {{ certification }} has been declined"
        "{% if sender %} by {{ sender }}{% endif %}. The certification is still due on "
        "{{ due_date }}.{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

certifications.message(
    "certifications.enrolment",
    kind=Kind.ALERT,
    name="Certification enrolment",
    description="A learner is assigned to a certification.",
    recipients="learner (+manager)",
    placeholders=[
        CERTIFICATION,
        LEARNER,
        P("due_date", "When the certification is due", required=False),
        MANAGER_COPY,
    ],
    subject="You have been enrolled in {{ certification }}",
    body=MANAGER_PREFIX
    + (
        "You have been enrolled in the certification {{ certification }}."
        "{% if due_date %}\n\nPlease complete it by {{ due_date }}.{% endif %}"
    ),
)

certifications.message(
    "certifications.exception_report",
    audiences=(Audience.ADMIN,),
    kind=Kind.ALERT,
    name="Certification exception report",
    description="An assignment to a certification raises an exception.",
    recipients="site admins",
    placeholders=[
        CERTIFICATION,
        P("exception", "What went wrong, e.g. the time allowance cannot be met"),
        P("learner", "The full name of the learner whose assignment raised it", required=False),
    ],
    subject="Assignment exception in {{ certification }}",
    body=(
        "An assignment to the certification {{ certification }} raised an exception: "
        "{{ exception }}.{% if learner %}\n\nLearner: {{ learner }}{% endif %}\n\n"
        "The assignment waits until the exception is resolved on the certification's exception "
        "report."
    ),
    urgency=Urgency.URGENT,
)

certifications.message(
    "certifications.unenrolment",
    kind=Kind.ALERT,
    name="Certification unenrolment",
    description="A learner is removed from a certification.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, LEARNER, MANAGER_COPY],
    subject="You have been unenrolled from {{ certification }}",
    body=MANAGER_PREFIX
    + (
        "You have been unenrolled from the certification {{ certification }}. You no longer "
        "need to complete it."
    ),
)

certifications.message(
    "certifications.due",
    kind=Kind.ALERT,
    name="Certification due",
    description="Sent a set number of days before the certification's due date.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ certification }} is due on {{ due_date }}",
    body=MANAGER_PREFIX
    + (
        "The certification {{ certification }} is due on {{ due_date }}. Please make sure you "
        "complete it in time."
    ),
)

certifications.message(
    "certifications.overdue",
    kind=Kind.ALERT,
    name="Certification overdue",
    description="Sent a set number of days after the due date if the certification is incomplete.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ certification }} is overdue",
    body=MANAGER_PREFIX
    + (
        "The certification {{ certification }} was due on {{ due_date }} and is not complete "
        "yet. Please complete it as soon as you can."
    ),
    urgency=Urgency.URGENT,
)

certifications.message(
    "certifications.completed",
    kind=Kind.ALERT,
    name="Certification completed",
    description="A learner becomes certified.",
    recipients="learner (+manager)",
    placeholders=[
        CERTIFICATION,
        LEARNER,
        P("expiry_date", "When the certification expires", required=False),
        MANAGER_COPY,
    ],
    subject="You are now certified: {{ certification }}",
    body=MANAGER_PREFIX
    + (
        "Congratulations! You have completed the certification {{ certification }}."
        "{% if expiry_date %}\n\nYour certification is valid until {{ expiry_date }}.{% endif %}"
    ),
)

certifications.message(
    "certifications.courseset_due",
    kind=Kind.ALERT,
    name="Certification course set due",
    description="Sent a set number of days before a course set of a certification is due.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, COURSE_SET, COURSE_SET_DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ course_set }} in {{ certification }} is due on {{ due_date }}",
    body=MANAGER_PREFIX
    + (
        "The course set {{ course_set }} of the certification {{ certification }} is due on "
        "{{ due_date }}. Please make sure you complete it in time."
    ),
)

certifications.message(
    "certifications.courseset_overdue",
    kind=Kind.ALERT,
    name="Certification course set overdue",
    description="Sent when a course set of a certification is overdue.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, COURSE_SET, COURSE_SET_DUE_DATE, LEARNER, MANAGER_COPY],
    subject="{{ course_set }} in {{ certification }} is overdue",
    body=MANAGER_PREFIX
    + (
        "The course set {{ course_set }} of the certification {{ certification }} was due on "
        "{{ due_date }} and is not complete yet. Please complete it as soon as you can."
    ),
    urgency=Urgency.URGENT,
)

certifications.message(
    "certifications.courseset_completed",
    kind=Kind.ALERT,
    name="Certification course set completed",
    description="A learner completes a course set of a certification.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, COURSE_SET, LEARNER, MANAGER_COPY],
    subject="You have completed {{ course_set }} in {{ certification }}",
    body=MANAGER_PREFIX
    + (
        "Well done! You have completed the course set {{ course_set }} of the certification "
        "{{ certification }}."
    ),
)

certifications.message(
    "certifications.learner_followup",
    kind=Kind.ALERT,
    name="Certification learner follow-up",
    description="Sent a set number of days after a learner completes a certification.",
    recipients="learner (+manager)",
    placeholders=[
        CERTIFICATION,
        LEARNER,
        P("completion_date", "When the learner completed the certification", required=False),
        MANAGER_COPY,
    ],
    subject="Following up on {{ certification }}",
    body=MANAGER_PREFIX
    + (
        "Some time has passed since you completed the certification {{ certification }}"
        "{% if completion_date %} on {{ completion_date }}{% endif %}. We hope you are putting "
        "what you learned into practice."
    ),
    urgency=Urgency.LOW,
)

certifications.message(
    "certifications.recert_window_open",
    kind=Kind.ALERT,
    name="Re-certification window open",
    description="The window in which a learner can re-certify opens.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, WINDOW_CLOSES, LEARNER, MANAGER_COPY],
    subject="You can now re-certify for {{ certification }}",
    body=MANAGER_PREFIX
    + (
        "The re-certification window of {{ certification }} is now open. Please complete the "
        "re-certification before the window closes on {{ window_closes }} to stay certified."
    ),
)

certifications.message(
    "certifications.recert_window_due_close",
    kind=Kind.ALERT,
    name="Re-certification window due to close",
    description="Sent a set number of days before the re-certification window closes.",
    recipients="learner (+manager)",
    placeholders=[CERTIFICATION, WINDOW_CLOSES, LEARNER, MANAGER_COPY],
    subject="Re-certification for {{ certification }} closes on {{ window_closes }}",
    body=MANAGER_PREFIX
    + (
        "The re-certification window of {{ certification }} closes on {{ window_closes }}. "
        "If you have not re-certified by then, your certification will expire."
    ),
)

certifications.message(
    "certifications.recert_failed",
    kind=Kind.ALERT,
    name="Failure to recertify",
    description="The re-certification window closed without the learner re-certifying.",
    recipients="learner (+manager)",
    placeholders=[
        CERTIFICATION,
        LEARNER,
        P("expiry_date", "When the certification expired", required=False),
        MANAGER_COPY,
    ],
    subject="Your certification {{ certification }} has expired",
    body=MANAGER_PREFIX
    + (
        "The re-certification window of {{ certification }} closed before you re-certified, "
        "so your certification has expired{% if expiry_date %} as of {{ expiry_date }}"
        "{% endif %}.\n\nYou will need to complete the certification again to become "
        "certified."
    ),
    urgency=Urgency.URGENT,
)
