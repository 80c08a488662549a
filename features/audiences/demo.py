"""Demo: a dynamic audience of the people Mia manages, who are told they joined it."""

from features.audiences import actions
from features.audiences.models import Audience, AudienceRule


def load(people) -> None:
    audience, created = Audience.objects.get_or_create(
        name="Mia's team",
        defaults={
            "type": Audience.Type.DYNAMIC,
            "description": "Everyone whose manager is Mia Manager.",
            "notify_added": True,
            "notify_removed": True,
        },
    )
    if not created:
        return
    AudienceRule.objects.create(
        audience=audience, field=AudienceRule.Field.MANAGER, manager=people["mia"]
    )
    actions.recompute(audience)
