from notifications import catalogue
from notifications.models import MessageType, OutputSetting, SiteOutput
from notifications.sync import sync_catalogue


def test_migrate_mirrors_every_type_with_its_default_outputs(db):
    keys = {t.key for t in catalogue.all_types()}
    assert set(MessageType.objects.values_list("key", flat=True)) == keys
    assert OutputSetting.objects.count() == len(catalogue.OUTPUTS) * len(keys)
    assert set(SiteOutput.objects.values_list("output", flat=True)) == set(catalogue.OUTPUTS)


def test_admin_choices_survive_a_sync(db):
    setting = OutputSetting.objects.get(message_type__key="programs.due", output="email")
    setting.permission = "disallowed"
    setting.save()
    sync_catalogue()
    setting.refresh_from_db()
    assert setting.permission == "disallowed"


def test_a_vanished_key_is_marked_obsolete_not_deleted(db):
    MessageType.objects.create(
        key="programs.gone", feature="programs", feature_name="P", kind="alert"
    )
    result = sync_catalogue()
    assert result["obsolete"] == 1
    assert MessageType.objects.get(key="programs.gone").obsolete


def test_a_sync_runs_a_constant_number_of_queries(db, django_assert_max_num_queries):
    # select types, [bulk create/update: none], update obsolete, select ids, select settings,
    # [bulk create: none], insert site outputs, savepoints.
    with django_assert_max_num_queries(10):
        sync_catalogue()
