from celery import shared_task
from django.contrib.auth import get_user_model

from alerts.models import Alert
from alerts.presenting import Presenter
from notifications import live


@shared_task(name="alerts.push_new_items", ignore_result=True)
def push_new_items(event_id: int, user_ids: list[int]):
    """Pushes each recipient's new inbox row to their open pages, rendered in their language."""
    User = get_user_model()
    users = User.objects.in_bulk(user_ids)
    rows = Alert.objects.filter(event_id=event_id, recipient_id__in=user_ids).select_related(
        "event", "event__sender"
    )
    for row in rows:
        user = users.get(row.recipient_id)
        if user is None:
            continue
        item = Presenter(user).as_dict(row)
        live.push_now([user.pk], {"type": f"{row.kind}.new", "item": item})
        live.push_now([user.pk], {"type": "counts.refresh"})
