"""Mirrors the code catalogue into the database (run after every migrate)."""

from django.db import transaction

from notifications import catalogue


def sync_catalogue() -> dict[str, int]:
    """Creates new types with default output settings, updates texts, marks vanished ones obsolete.

    Admins' output settings are never overwritten. Runs a constant number of queries.
    """
    from notifications.models import MessageType, OutputSetting, SiteOutput

    declared = {t.key: t for t in catalogue.all_types()}
    with transaction.atomic():
        existing = {m.key: m for m in MessageType.objects.all()}
        created, changed = [], []
        fields = ["feature", "feature_name", "kind", "name", "description", "recipients"]
        for key, t in declared.items():
            values = {
                "feature": t.feature,
                "feature_name": t.feature_name,
                "kind": str(t.kind),
                "name": t.name,
                "description": t.description,
                "recipients": t.recipients,
            }
            row = existing.get(key)
            if row is None:
                created.append(MessageType(key=key, **values))
            elif row.obsolete or any(getattr(row, f) != v for f, v in values.items()):
                for f, v in values.items():
                    setattr(row, f, v)
                row.obsolete = False
                changed.append(row)
        MessageType.objects.bulk_create(created)
        MessageType.objects.bulk_update(changed, [*fields, "obsolete"])
        vanished = MessageType.objects.exclude(key__in=declared).filter(obsolete=False)
        obsolete = vanished.update(obsolete=True)

        ids = dict(MessageType.objects.filter(key__in=declared).values_list("key", "id"))
        have = set(OutputSetting.objects.values_list("message_type_id", "output"))
        missing = [
            OutputSetting(
                message_type_id=ids[key],
                output=output,
                permission=default.permission,
                logged_in=default.logged_in,
                logged_off=default.logged_off,
            )
            for key, t in declared.items()
            for output, default in t.outputs.items()
            if (ids[key], output) not in have
        ]
        OutputSetting.objects.bulk_create(missing)
        SiteOutput.objects.bulk_create(
            [SiteOutput(output=o) for o in catalogue.OUTPUTS], ignore_conflicts=True
        )
    return {
        "created": len(created),
        "updated": len(changed),
        "obsolete": obsolete,
        "settings": len(missing),
    }


def sync_catalogue_after_migrate(sender, using="default", **kwargs):
    sync_catalogue()
