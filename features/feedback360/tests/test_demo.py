"""The demo part of this feature: it shows the feature working and loads only once."""

from features.job_assignments.tests.demo import tasks


def test_the_demo_asks_lou_and_sam_once(demo_people):
    from features.feedback360 import demo

    demo.load(demo_people)
    demo.load(demo_people)
    key = "feedback360.request"
    assert tasks() == [(key, "lou"), (key, "sam")]
