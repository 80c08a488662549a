from celery import shared_task
from django.conf import settings

from notifications import email, jobs


@shared_task(name="notifications.run_periodic_job", ignore_result=True)
def run_periodic_job(name: str):
    try:
        return jobs.run(name)
    except jobs.JobBusy:
        return None


@shared_task(name="notifications.send_emails", ignore_result=True, acks_late=True)
def send_emails(event_id: int | None = None):
    """Sends the due email of one event (or all due email). Safe to run twice at once.

    On a worker a task sends EMAIL_TASK_BATCHES claimed batches at most, then queues its own
    continuation: a send to 100,000 people is many short tasks, and the live pushes and other
    work queued meanwhile take their turn between them. Eager (the embedded default) it sends
    everything at once: there is no queue to share."""
    if send_emails.app.conf.task_always_eager:
        return email.send_due(event_id)
    result = email.send_due(event_id, batches=settings.EMAIL_TASK_BATCHES)
    if result["more"]:
        email.enqueue(event_id)  # a broker outage leaves the rest to the sweeper
    return result
