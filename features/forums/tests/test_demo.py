from accounts.factories import AdminFactory, UserFactory
from features.courses.models import Course
from features.forums import demo
from features.forums.models import Forum, Post

from .conftest import told


def test_the_demo_shows_a_discussion_mailed_and_loads_once(db, django_capture_on_commit_callbacks):
    people = {"admin": AdminFactory(username="admin")}
    for name in ("mia", "tom", "tara", "lee", "lou", "sam"):
        people[name] = UserFactory(username=name)
    Course.objects.create(full_name="Workplace safety", short_name="SAFETY")  # another demo's
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            demo.load(people)
    forum = Forum.objects.get()
    assert forum.course.short_name == "SAFETY"
    assert Post.objects.filter(mailed_at__isnull=False).count() == 2
    # tara's post to lee, lou and sam; lee's reply to tara, lou and sam.
    assert told() == ["lee", "lou", "lou", "sam", "sam", "tara"]
