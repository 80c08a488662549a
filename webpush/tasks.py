from celery import shared_task
from django.conf import settings

from webpush import sending


@shared_task(name="webpush.send_pushes", ignore_result=True, acks_late=True)
def send_pushes(event_id: int | None = None):
    """Sends the due pushes of one event (or all due pushes). Safe to run twice at once. On a
    worker it sends WEBPUSH_TASK_BATCHES claimed batches, then queues its continuation; eager
    (the embedded default) it sends everything."""
    if send_pushes.app.conf.task_always_eager:
        return sending.send_due(event_id)
    result = sending.send_due(event_id, batches=settings.WEBPUSH_TASK_BATCHES)
    if result["more"]:
        from webpush.output import enqueue

        enqueue(event_id)
    return result
