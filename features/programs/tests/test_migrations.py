"""The send log keyed on message rows (0003): what the scans sent before is not sent again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("programs", "0002_message_texts")]
AFTER = [("programs", "0003_several_messages_per_type")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_existing_log_takes_each_programs_row():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes("programs")
    apps = migrate(BEFORE)
    try:
        User = apps.get_model("accounts", "User")
        Program = apps.get_model("programs", "Program")
        Assignment = apps.get_model("programs", "Assignment")
        MessageSetting = apps.get_model("programs", "MessageSetting")
        SentMessage = apps.get_model("programs", "SentMessage")
        learner = User.objects.create(username="lee")
        with_row = Program.objects.create(name="With a row", kind="program")
        without = Program.objects.create(name="Defaults", kind="program")
        due = MessageSetting.objects.create(program=with_row, message="due", offset_days=7)
        MessageSetting.objects.create(program=with_row, message="enrolment")
        now = timezone.now()
        logs = {}
        for program in (with_row, without):
            assignment = Assignment.objects.create(program=program, user=learner, due_at=now)
            for message in ("due", "enrolment"):
                logs[program.pk, message] = SentMessage.objects.create(
                    assignment=assignment, message=message, about_at=now
                ).pk
        apps = migrate(AFTER)
        SentMessage = apps.get_model("programs", "SentMessage")
        setting_of = dict(SentMessage.objects.values_list("pk", "setting_id"))
        assert setting_of[logs[with_row.pk, "due"]] == due.pk  # the scans look for the row
        assert setting_of[logs[with_row.pk, "enrolment"]] == 0  # sent when it happened
        assert setting_of[logs[without.pk, "due"]] == 0  # the default, as the scans look
    finally:
        migrate(latest)
