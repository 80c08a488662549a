"""The Celery application. Periodic jobs are declared in notifications.jobs and run by beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "totara_messaging.settings")

app = Celery("totara_messaging")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def schedule_periodic_jobs(sender, **kwargs):
    from notifications import jobs
    from notifications.tasks import run_periodic_job

    for job in jobs.all_jobs():
        sender.add_periodic_task(job.every_seconds, run_periodic_job.s(job.name), name=job.name)
