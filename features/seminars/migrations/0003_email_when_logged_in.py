"""Seminar notifications are emailed when the learner is logged in too, as in Totara.

Sites made before this change have the old default (email only when logged off) in their output
settings; the catalogue's new default reaches only new types. This moves the rows an admin never
changed (permitted, off when logged in, on when logged off) to the new default and leaves every
other row, and every user's own choice, as it is.
"""

from django.db import migrations


def email_when_logged_in(apps, schema_editor):
    OutputSetting = apps.get_model("notifications", "OutputSetting")
    OutputSetting.objects.filter(
        message_type__key__startswith="seminars.",
        output="email",
        permission="permitted",
        logged_in=False,
        logged_off=True,
    ).update(logged_in=True)


class Migration(migrations.Migration):
    dependencies = [
        ("seminars", "0002_booking_requested_index"),
        ("notifications", "0004_email_claim_token"),
    ]

    operations = [migrations.RunPython(email_when_logged_in, migrations.RunPython.noop)]
