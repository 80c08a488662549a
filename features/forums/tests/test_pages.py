import time_machine

from features.forums import actions
from features.forums.models import (
    Discussion,
    DiscussionSubscription,
    ForumSubscription,
    MailPreference,
    Post,
)

from .conftest import after_window, first_post


def test_the_forum_list_shows_the_forums_of_my_courses(client, forum, people):
    client.force_login(people["lee"])
    response = client.get("/forums/")
    assert response.status_code == 200
    assert "Safety questions" in response.text
    client.force_login(people["olive"])
    assert "Safety questions" not in client.get("/forums/").text


def test_the_forum_list_is_a_constant_number_of_queries(
    client, course, people, django_assert_num_queries
):
    from .conftest import make_forum

    client.force_login(people["lee"])
    make_forum(course, "auto", name="First")
    # session, user, counters (one query), forums with their courses
    with django_assert_num_queries(4):
        client.get("/forums/")
    for n in range(4):
        make_forum(course, "optional", name=f"More {n}")
    with django_assert_num_queries(4):
        response = client.get("/forums/")
    assert response.text.count('class="item"') == 5


def test_someone_outside_the_course_gets_404(client, forum, people):
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday.")
    client.force_login(people["olive"])
    assert client.get(f"/forums/{forum.pk}/").status_code == 404
    assert client.get(f"/forums/discussion/{discussion.pk}/").status_code == 404
    response = client.post(f"/forums/{forum.pk}/discussions/", {"subject": "Hi", "message": "Hi"})
    assert response.status_code == 404
    response = client.post(f"/forums/discussion/{discussion.pk}/reply/", {"message": "Hi"})
    assert response.status_code == 404
    assert Post.objects.count() == 1


def test_the_forum_page_is_a_constant_number_of_queries(
    client, forum, people, django_assert_num_queries
):
    actions.start_discussion(forum, people["tara"], "One", "Text")
    client.force_login(people["lee"])
    # session, user, counters (one query), forum, participant check, discussions, forum
    # subscription, discussion subscriptions, mail preference
    with django_assert_num_queries(9):
        assert client.get(f"/forums/{forum.pk}/").status_code == 200
    for n in range(5):
        discussion = actions.start_discussion(forum, people["lou"], f"More {n}", "Text")
        actions.reply(first_post(discussion), people["sam"], "Reply")
    with django_assert_num_queries(9):
        response = client.get(f"/forums/{forum.pk}/")
    assert response.text.count('id="discussion-') == 6


def test_the_discussion_page_is_a_constant_number_of_queries(
    client, forum, people, django_assert_num_queries
):
    discussion = actions.start_discussion(forum, people["tara"], "One", "Text")
    client.force_login(people["lee"])
    # session, user, counters (one query), discussion, participant check, posts, forum subscription,
    # discussion subscription
    with django_assert_num_queries(8):
        assert client.get(f"/forums/discussion/{discussion.pk}/").status_code == 200
    for n in range(5):
        actions.reply(first_post(discussion), people["sam"], f"Reply {n}")
    with django_assert_num_queries(8):
        response = client.get(f"/forums/discussion/{discussion.pk}/")
    assert response.text.count('id="post-') >= 6


def test_a_participant_starts_a_discussion_from_the_forum_page(client, forum, people):
    client.force_login(people["lee"])
    response = client.post(
        f"/forums/{forum.pk}/discussions/",
        {"subject": "Ladders", "message": "Who checks the ladders?", "subscribe": "1"},
        follow=True,
    )
    discussion = Discussion.objects.get()
    assert response.redirect_chain[-1][0] == f"/forums/discussion/{discussion.pk}/"
    assert "Who checks the ladders?" in response.text
    assert "You can edit it for 30 minutes" in response.text
    assert DiscussionSubscription.objects.filter(discussion=discussion, user=people["lee"]).exists()


def test_an_empty_post_is_refused_with_a_clear_error_and_the_typed_text_is_kept(
    client, forum, people
):
    client.force_login(people["lee"])
    response = client.post(
        f"/forums/{forum.pk}/discussions/", {"subject": "Ladders", "message": "  "}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert "Your post is empty" in response.text
    assert 'value="Ladders"' in response.text
    assert Discussion.objects.count() == 0

    response = client.post(
        f"/forums/{forum.pk}/discussions/", {"subject": "", "message": "Who checks them?"}
    )
    assert response.status_code == 400
    assert "Give the discussion a subject." in response.text
    assert ">Who checks them?</textarea>" in response.text

    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday.")
    response = client.post(
        f"/forums/discussion/{discussion.pk}/reply/",
        {"parent": first_post(discussion).pk, "message": ""},
    )
    assert response.status_code == 400
    assert "Your post is empty" in response.text
    assert Post.objects.count() == 1


def test_a_participant_replies_to_a_post(client, forum, people):
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday.")
    root = first_post(discussion)
    client.force_login(people["lee"])
    page = client.get(f"/forums/discussion/{discussion.pk}/?reply={root.pk}")
    assert "Reply to Tara Trainer" in page.text
    response = client.post(
        f"/forums/discussion/{discussion.pk}/reply/", {"parent": root.pk, "message": "Which floor?"}
    )
    reply = Post.objects.get(parent=root)
    assert response.status_code == 302
    assert response["Location"] == f"/forums/discussion/{discussion.pk}/#post-{reply.pk}"
    assert reply.author == people["lee"]


def test_a_reply_to_a_post_of_another_discussion_is_refused(client, forum, people):
    one = actions.start_discussion(forum, people["tara"], "One", "Text")
    other = actions.start_discussion(forum, people["tara"], "Other", "Text")
    client.force_login(people["lee"])
    response = client.post(
        f"/forums/discussion/{one.pk}/reply/",
        {"parent": first_post(other).pk, "message": "Sneaky"},
    )
    assert response.status_code == 404
    assert Post.objects.count() == 2


def test_the_author_edits_a_post_within_the_window(client, forum, people):
    discussion = actions.start_discussion(forum, people["lee"], "Drill", "Friday at 10.")
    post = first_post(discussion)
    client.force_login(people["lee"])
    page = client.get(f"/forums/discussion/{discussion.pk}/")
    assert f"/forums/post/{post.pk}/edit/" in page.text
    assert ">Friday at 10.</textarea>" in client.get(f"/forums/post/{post.pk}/edit/").text
    response = client.post(f"/forums/post/{post.pk}/edit/", {"message": "Friday at 11."})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.message == "Friday at 11."


def test_an_edit_after_the_window_is_refused_and_keeps_the_typed_text(client, forum, people):
    discussion = actions.start_discussion(forum, people["lee"], "Drill", "Friday at 10.")
    post = first_post(discussion)
    client.force_login(people["lee"])
    with time_machine.travel(after_window(), tick=False):
        assert "can no longer be edited" in client.get(f"/forums/post/{post.pk}/edit/").text
        response = client.post(f"/forums/post/{post.pk}/edit/", {"message": "Friday at 11."})
    assert response.status_code == 400
    assert "no longer be edited" in response.text
    assert ">Friday at 11.</textarea>" in response.text
    post.refresh_from_db()
    assert post.message == "Friday at 10."


def test_nobody_edits_another_users_post(client, forum, people):
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday at 10.")
    post = first_post(discussion)
    client.force_login(people["lee"])
    assert client.get(f"/forums/post/{post.pk}/edit/").status_code == 404
    assert client.post(f"/forums/post/{post.pk}/edit/", {"message": "Mine"}).status_code == 404
    post.refresh_from_db()
    assert post.message == "Friday at 10."


def test_a_user_unsubscribes_and_subscribes_again_from_the_forum_page(client, forum, people):
    client.force_login(people["lee"])
    assert "Unsubscribe from this forum" in client.get(f"/forums/{forum.pk}/").text  # auto mode
    response = client.post(f"/forums/{forum.pk}/subscription/", {"subscribed": "0"}, follow=True)
    assert "You are no longer subscribed to Safety questions." in response.text
    assert ForumSubscription.objects.get(forum=forum, user=people["lee"]).subscribed is False
    assert "Subscribe to this forum" in response.text
    client.post(f"/forums/{forum.pk}/subscription/", {"subscribed": "1"})
    assert ForumSubscription.objects.get(forum=forum, user=people["lee"]).subscribed is True


def test_a_forced_forum_shows_the_subscription_as_locked_and_refuses_changes(client, forum, people):
    forum.mode = forum.Mode.FORCED
    forum.save()
    client.force_login(people["lee"])
    assert "Everyone in the course is subscribed" in client.get(f"/forums/{forum.pk}/").text
    response = client.post(f"/forums/{forum.pk}/subscription/", {"subscribed": "0"})
    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert not ForumSubscription.objects.exists()


def test_a_user_follows_one_discussion_from_the_forum_page(client, forum, people):
    forum.mode = forum.Mode.OPTIONAL
    forum.save()
    discussion = actions.start_discussion(forum, people["tara"], "Drill", "Friday.")
    client.force_login(people["lee"])
    response = client.post(
        f"/forums/discussion/{discussion.pk}/subscription/",
        {"subscribed": "1", "next": "forum"},
    )
    assert response["Location"] == f"/forums/{forum.pk}/"
    assert DiscussionSubscription.objects.get(discussion=discussion, user=people["lee"]).subscribed
    response = client.post(
        f"/forums/discussion/{discussion.pk}/subscription/", {"subscribed": "0"}, follow=True
    )
    assert "You are no longer subscribed to the discussion Drill." in response.text


def test_a_user_chooses_the_daily_digest(client, forum, people):
    client.force_login(people["lee"])
    response = client.post(f"/forums/{forum.pk}/mail-preference/", {"mode": "digest"}, follow=True)
    assert "one digest email a day" in response.text
    assert MailPreference.objects.get(user=people["lee"]).mode == "digest"
    assert 'value="digest" checked' in response.text
    response = client.post(f"/forums/{forum.pk}/mail-preference/", {"mode": "hourly"})
    assert response.status_code == 400
    assert MailPreference.objects.get(user=people["lee"]).mode == "digest"


def test_the_forum_pages_need_a_login(client, forum):
    response = client.get(f"/forums/{forum.pk}/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_admin_lists_forums_and_posts(client, forum, people):
    from accounts.factories import AdminFactory

    actions.start_discussion(forum, people["tara"], "Drill", "Friday.")
    client.force_login(AdminFactory())
    for url in (
        "/admin/forums/forum/",
        f"/admin/forums/forum/{forum.pk}/change/",
        "/admin/forums/discussion/",
        "/admin/forums/post/",
        "/admin/forums/discussionsubscription/",
        "/admin/forums/mailpreference/",
    ):
        assert client.get(url).status_code == 200, url
