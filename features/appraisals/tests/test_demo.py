"""The demo part of this feature: it shows the feature working and loads only once."""

from features.job_assignments.tests.demo import tasks


def test_the_demo_activates_lees_appraisal_once(demo_people):
    from features.appraisals import demo

    demo.load(demo_people)
    demo.load(demo_people)
    key = "appraisals.activation"
    assert tasks() == [(key, "admin"), (key, "lee"), (key, "mia"), (key, "tara")]
