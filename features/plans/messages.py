"""Message types of learning plans (see shared/seed/catalogue.md)."""

from notifications.catalogue import Audience, Feature, Kind, P

plans = Feature(
    "plans",
    "Learning Plans",
    audiences=(Audience.LEARNER, Audience.MANAGER),
)

PLAN = P("plan", "The learning plan's name")
LEARNER = P("learner", "The full name of the plan's owner")
COMMENT = P("comment", "A comment from whoever acted", required=False)
REASON = P("reason", "The manager's reason", required=False)
COURSE = P("item", "The course's name")
COMPETENCY = P("item", "The competency's name")
OBJECTIVE = P("item", "The objective's name")
STATUS = P("status", "The objective status value's name")
SCALE = P("scale", "The objective scale the status belongs to", required=False)

OBJECTIVE_STATUS_RECIPIENTS = "plan owners it affects, or site admins (feature decides, documented)"
ITEM_RECIPIENTS = "learner (approved/declined), manager (completed/updated)"

plans.message(
    "plans.plan_requested",
    audiences=(Audience.MANAGER,),
    kind=Kind.TASK,
    name="Plan requested",
    description="A learner asks their manager to approve a learning plan.",
    recipients="manager (approve/decline)",
    placeholders=[PLAN, LEARNER, P("comment", "The learner's comment", required=False)],
    subject="{{ learner }} asks you to approve the plan {{ plan }}",
    body=(
        "{{ learner }} has asked you to approve the learning plan {{ plan }}."
        "{% if comment %}\n\nComment: {{ comment }}{% endif %}\n\n"
        "Please review the plan, then approve or decline it."
    ),
    actions=("approve", "decline"),
)

plans.message(
    "plans.item_requested",
    audiences=(Audience.MANAGER,),
    kind=Kind.TASK,
    name="Plan item requested",
    description="A learner asks their manager to approve a course, competency or objective.",
    recipients="manager (approve/decline)",
    placeholders=[
        PLAN,
        LEARNER,
        P("item", "The name of the course, competency or objective"),
        P("item_type", "What the item is: course, competency or objective"),
        P("comment", "The learner's comment", required=False),
    ],
    subject="{{ learner }} asks you to approve a {{ item_type }} in {{ plan }}",
    body=(
        "{{ learner }} has asked you to approve the {{ item_type }} {{ item }} in the learning "
        "plan {{ plan }}.{% if comment %}\n\nComment: {{ comment }}{% endif %}\n\n"
        "Please approve or decline it."
    ),
    actions=("approve", "decline"),
)

plans.message(
    "plans.objective_status_created",
    audiences=(Audience.LEARNER, Audience.ADMIN),
    kind=Kind.ALERT,
    name="Objective status created",
    description="A new objective status value is created.",
    recipients=OBJECTIVE_STATUS_RECIPIENTS,
    placeholders=[STATUS, SCALE],
    subject="New objective status: {{ status }}",
    body=(
        "A new objective status, {{ status }}, has been created{% if scale %} in the scale "
        "{{ scale }}{% endif %}{% if sender %} by {{ sender }}{% endif %}. Objectives in learning "
        "plans can now use it."
    ),
)

plans.message(
    "plans.objective_status_edited",
    audiences=(Audience.LEARNER, Audience.ADMIN),
    kind=Kind.ALERT,
    name="Objective status edited",
    description="An objective status value is edited.",
    recipients=OBJECTIVE_STATUS_RECIPIENTS,
    placeholders=[
        STATUS,
        SCALE,
        P("previous_status", "The status value's name before the edit", required=False),
    ],
    subject="Objective status edited: {{ status }}",
    body=(
        "The objective status {% if previous_status %}{{ previous_status }} is now called "
        "{{ status }}{% else %}{{ status }} has been edited{% endif %}"
        "{% if scale %} (scale {{ scale }}){% endif %}. Objectives that use it show the change."
    ),
)

plans.message(
    "plans.objective_status_deleted",
    audiences=(Audience.LEARNER, Audience.ADMIN),
    kind=Kind.ALERT,
    name="Objective status deleted",
    description="An objective status value is deleted.",
    recipients=OBJECTIVE_STATUS_RECIPIENTS,
    placeholders=[STATUS, SCALE],
    subject="Objective status deleted: {{ status }}",
    body=(
        "The objective status {{ status }}{% if scale %} of the scale {{ scale }}{% endif %} has "
        "been deleted{% if sender %} by {{ sender }}{% endif %}. It can no longer be given to "
        "objectives in learning plans."
    ),
)

plans.message(
    "plans.plan_approved",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Plan approved",
    description="The manager approves a learning plan.",
    recipients="learner",
    placeholders=[PLAN, COMMENT],
    subject="Your plan {{ plan }} was approved",
    body=(
        "Your learning plan {{ plan }} has been approved{% if sender %} by "
        "{{ sender }}{% endif %}. You can now work on it.{% if comment %}\n\nComment: "
        "{{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.plan_updated",
    kind=Kind.ALERT,
    name="Plan updated",
    description="A learning plan is updated by someone other than the recipient.",
    recipients="learner and/or manager",
    placeholders=[PLAN, LEARNER, COMMENT],
    subject="The plan {{ plan }} was updated",
    body=(
        "The learning plan {{ plan }} of {{ learner }} has been updated{% if sender %} by "
        "{{ sender }}{% endif %}.{% if comment %}\n\nComment: {{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.plan_declined",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Plan declined",
    description="The manager declines a learning plan.",
    recipients="learner",
    placeholders=[PLAN, REASON],
    subject="Your plan {{ plan }} was declined",
    body=(
        "Your learning plan {{ plan }} has been declined{% if sender %} by {{ sender }}{% endif %}."
        "{% if reason %}\n\nReason: {{ reason }}{% endif %}\n\n"
        "You can change the plan and ask for approval again."
    ),
)

plans.message(
    "plans.plan_deleted",
    kind=Kind.ALERT,
    name="Plan deleted",
    description="A learning plan is deleted.",
    recipients="learner and/or manager",
    placeholders=[PLAN, LEARNER],
    subject="The plan {{ plan }} was deleted",
    body=(
        "The learning plan {{ plan }} of {{ learner }} has been deleted"
        "{% if sender %} by {{ sender }}{% endif %}."
    ),
)

plans.message(
    "plans.plan_comment",
    kind=Kind.ALERT,
    name="Plan comment made",
    description="Someone comments on a learning plan.",
    recipients="the plan's other party",
    placeholders=[PLAN, LEARNER, P("comment", "The comment's text")],
    subject="New comment on the plan {{ plan }}",
    body=(
        "{% if sender %}{{ sender }} commented{% else %}A comment was made{% endif %} on the "
        "learning plan {{ plan }} of {{ learner }}:\n\n{{ comment }}"
    ),
)

plans.message(
    "plans.plan_completed",
    kind=Kind.ALERT,
    name="Plan completed",
    description="A learning plan is completed.",
    recipients="learner and manager",
    placeholders=[
        PLAN,
        LEARNER,
        P("completion_date", "When the plan was completed", required=False),
    ],
    subject="The plan {{ plan }} is complete",
    body=(
        "The learning plan {{ plan }} of {{ learner }} has been completed"
        "{% if completion_date %} on {{ completion_date }}{% endif %}. Well done!"
    ),
)

# Courses, competencies and objectives in a plan: the same four changes of state each.

plans.message(
    "plans.course_approved",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Course approved",
    description="The manager approves a course in a learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, COURSE, COMMENT],
    subject="Course approved: {{ item }}",
    body=(
        "The course {{ item }} in your learning plan {{ plan }} has been approved{% if sender %} "
        "by {{ sender }}{% endif %}.{% if comment %}\n\nComment: {{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.course_updated",
    audiences=(Audience.MANAGER,),
    kind=Kind.ALERT,
    name="Course updated",
    description="A course in a learning plan is updated.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, LEARNER, COURSE, COMMENT],
    subject="Course updated in {{ plan }}: {{ item }}",
    body=(
        "The course {{ item }} in the learning plan {{ plan }} of {{ learner }} has been "
        "updated{% if sender %} by {{ sender }}{% endif %}.{% if comment %}\n\nComment: "
        "{{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.course_declined",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Course declined",
    description="The manager declines a course in a learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, COURSE, REASON],
    subject="Course declined: {{ item }}",
    body=(
        "The course {{ item }} in your learning plan {{ plan }} has been declined{% if sender %} "
        "by {{ sender }}{% endif %}.{% if reason %}\n\nReason: {{ reason }}{% endif %}"
    ),
)

plans.message(
    "plans.course_completed",
    audiences=(Audience.MANAGER,),
    kind=Kind.ALERT,
    name="Course completed",
    description="A learner completes a course in their learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, LEARNER, COURSE],
    subject="{{ learner }} completed the course {{ item }}",
    body="{{ learner }} has completed the course {{ item }} in the learning plan {{ plan }}.",
)

plans.message(
    "plans.competency_approved",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Competency approved",
    description="The manager approves a competency in a learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, COMPETENCY, COMMENT],
    subject="Competency approved: {{ item }}",
    body=(
        "The competency {{ item }} in your learning plan {{ plan }} has been "
        "approved{% if sender %} by {{ sender }}{% endif %}.{% if comment %}\n\nComment: "
        "{{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.competency_updated",
    audiences=(Audience.MANAGER,),
    kind=Kind.ALERT,
    name="Competency updated",
    description="A competency in a learning plan is updated.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, LEARNER, COMPETENCY, COMMENT],
    subject="Competency updated in {{ plan }}: {{ item }}",
    body=(
        "The competency {{ item }} in the learning plan {{ plan }} of {{ learner }} has been "
        "updated{% if sender %} by {{ sender }}{% endif %}.{% if comment %}\n\nComment: "
        "{{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.competency_declined",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Competency declined",
    description="The manager declines a competency in a learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, COMPETENCY, REASON],
    subject="Competency declined: {{ item }}",
    body=(
        "The competency {{ item }} in your learning plan {{ plan }} has been "
        "declined{% if sender %} by {{ sender }}{% endif %}.{% if reason %}\n\nReason: "
        "{{ reason }}{% endif %}"
    ),
)

plans.message(
    "plans.competency_completed",
    audiences=(Audience.MANAGER,),
    kind=Kind.ALERT,
    name="Competency completed",
    description="A learner achieves a competency in their learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, LEARNER, COMPETENCY],
    subject="{{ learner }} completed the competency {{ item }}",
    body="{{ learner }} has completed the competency {{ item }} in the learning plan {{ plan }}.",
)

plans.message(
    "plans.objective_approved",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Objective approved",
    description="The manager approves an objective in a learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, OBJECTIVE, COMMENT],
    subject="Objective approved: {{ item }}",
    body=(
        "The objective {{ item }} in your learning plan {{ plan }} has been "
        "approved{% if sender %} by {{ sender }}{% endif %}.{% if comment %}\n\nComment: "
        "{{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.objective_updated",
    audiences=(Audience.MANAGER,),
    kind=Kind.ALERT,
    name="Objective updated",
    description="An objective in a learning plan is updated.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, LEARNER, OBJECTIVE, COMMENT],
    subject="Objective updated in {{ plan }}: {{ item }}",
    body=(
        "The objective {{ item }} in the learning plan {{ plan }} of {{ learner }} has been "
        "updated{% if sender %} by {{ sender }}{% endif %}.{% if comment %}\n\nComment: "
        "{{ comment }}{% endif %}"
    ),
)

plans.message(
    "plans.objective_declined",
    audiences=(Audience.LEARNER,),
    kind=Kind.ALERT,
    name="Objective declined",
    description="The manager declines an objective in a learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, OBJECTIVE, REASON],
    subject="Objective declined: {{ item }}",
    body=(
        "The objective {{ item }} in your learning plan {{ plan }} has been "
        "declined{% if sender %} by {{ sender }}{% endif %}.{% if reason %}\n\nReason: "
        "{{ reason }}{% endif %}"
    ),
)

plans.message(
    "plans.objective_completed",
    audiences=(Audience.MANAGER,),
    kind=Kind.ALERT,
    name="Objective completed",
    description="A learner completes an objective in their learning plan.",
    recipients=ITEM_RECIPIENTS,
    placeholders=[PLAN, LEARNER, OBJECTIVE],
    subject="{{ learner }} completed the objective {{ item }}",
    body="{{ learner }} has completed the objective {{ item }} in the learning plan {{ plan }}.",
)
