"""The demo site: a small organisation so a newcomer sees the product working.

`load()` is idempotent: it creates what is missing and changes nothing that exists.
"""

from datetime import timedelta
from importlib import import_module

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import module_has_submodule

from features.job_assignments.models import JobAssignment

PASSWORD = "learn-demo-2026"

PEOPLE = [
    # username, full name, role, staff
    ("admin", "Ada Admin", "Site administrator", True),
    ("mia", "Mia Manager", "Team manager", False),
    ("tom", "Tom Tempmanager", "Deputy manager", False),
    ("tara", "Tara Trainer", "Trainer", False),
    ("lee", "Lee Learner", "Learner", False),
    ("lou", "Lou Learner", "Learner", False),
    ("sam", "Sam Student", "Learner", False),
]


def _conversations(users) -> None:
    """A conversation between a learner and their manager, and a trainer's note to learners."""
    from instant import actions
    from instant.models import Conversation

    if Conversation.objects.exists():
        return
    conversation, _ = actions.start_conversation(users["mia"], [users["lee"].pk])
    for sender, body in [
        ("mia", "Hi Lee, have you had a chance to look at the safety program?"),
        ("lee", "Yes, I started the first course yesterday."),
        ("mia", "Great. Tell me if you need more time: you can ask for an extension."),
    ]:
        actions.send_message(users[sender], conversation.pk, body, check_rate=False)
    group, _ = actions.start_conversation(
        users["admin"], [users["tara"].pk, users["mia"].pk], name="Training team"
    )
    actions.send_message(users["admin"], group.pk, "Welcome to the new platform!", check_rate=False)


@transaction.atomic
def load() -> tuple[bool, list[tuple[str, str, str]]]:
    """Returns (created, [(username, full name, role)])."""
    User = get_user_model()
    existing = set(
        User.objects.filter(username__in=[p[0] for p in PEOPLE]).values_list("username", flat=True)
    )
    users = {}
    for username, full_name, _role, staff in PEOPLE:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                email=f"{username}@example.com",
                full_name=full_name,
                first_name=full_name.split()[0],
                last_name=full_name.split()[-1],
                is_staff=staff,
                is_superuser=staff,
            )
            user.set_password(PASSWORD)
            user.save()
        users[username] = user
    if not JobAssignment.objects.filter(user__in=users.values()).exists():
        JobAssignment.objects.bulk_create(
            [
                JobAssignment(user=users["lee"], title="Learner", manager=users["mia"]),
                JobAssignment(
                    user=users["lou"],
                    title="Learner",
                    manager=users["mia"],
                    temp_manager=users["tom"],
                    temp_manager_expires_at=timezone.now() + timedelta(days=30),
                ),
                JobAssignment(user=users["sam"], title="Learner", manager=users["mia"]),
                JobAssignment(user=users["tara"], title="Trainer", manager=users["admin"]),
            ]
        )
    _conversations(users)
    # Each feature adds its part of the demo (features/<app>/demo.py: load(people)), idempotently.
    for config in apps.get_app_configs():
        if config.name.startswith("features.") and module_has_submodule(config.module, "demo"):
            import_module(f"{config.name}.demo").load(users)
    created = len(existing) < len(PEOPLE)
    return created, [(p[0], p[1], p[2]) for p in PEOPLE]
