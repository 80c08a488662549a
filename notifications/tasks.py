from celery import shared_task

from notifications import email, jobs


@shared_task(name="notifications.run_periodic_job", ignore_result=True)
def run_periodic_job(name: str):
    try:
        return jobs.run(name)
    except jobs.JobBusy:
        return None


@shared_task(name="notifications.send_emails", ignore_result=True, acks_late=True)
def send_emails(event_id: int | None = None):
    """Sends the due email of one event (or all due email). Safe to run twice at once."""
    return email.send_due(event_id)
