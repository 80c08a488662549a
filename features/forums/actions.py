"""What users do in forums, and the mail of posts (each post, or a daily digest).

A post is mailed once its edit window (FORUMS_EDIT_WINDOW_SECONDS, 30 minutes by default) has
passed, so subscribers read what the author meant to say: `mail_posts()` sends each such post
with one `notifications.send()` to all its subscribers but its author and those who chose the
daily digest; `send_daily_digests()` sends those one email a day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

import notifications
from features.forums import queries
from features.forums.models import (
    Discussion,
    DiscussionSubscription,
    Forum,
    ForumSubscription,
    MailPreference,
    Post,
    edit_window,
)

Mode = Forum.Mode
KEY = "forums.post"
MAX_SUBJECT = 255
MAX_MESSAGE = 20000


class ForumError(ValueError):
    """An action was refused; nothing was changed. The message says why, for the user."""


def _check_participant(forum: Forum, user) -> None:
    if not queries.is_participant(forum.course_id, user):
        raise ForumError(_("Only the course's participants can take part in this forum."))


def _clean_message(message: str) -> str:
    message = (message or "").strip()
    if not message:
        raise ForumError(_("Your post is empty: type a message before posting."))
    if len(message) > MAX_MESSAGE:
        raise ForumError(
            _("A post can be at most %(max)s characters long.") % {"max": format(MAX_MESSAGE, ",")}
        )
    return message


def _subscribe_to_discussion(discussion: Discussion, user) -> None:
    """Posting subscribes the author to the discussion (where subscriptions are a choice)."""
    if discussion.forum.mode in (Mode.OPTIONAL, Mode.AUTO):
        DiscussionSubscription.objects.update_or_create(
            discussion=discussion, user=user, defaults={"subscribed": True}
        )


@transaction.atomic
def start_discussion(
    forum: Forum, author, subject: str, message: str, *, subscribe: bool = True
) -> Discussion:
    """Opens a discussion with its first post. Raises ForumError for a non-participant, an empty
    subject or an empty message. The post is mailed after the edit window (mail_posts)."""
    _check_participant(forum, author)
    subject = (subject or "").strip()
    if not subject:
        raise ForumError(_("Give the discussion a subject."))
    if len(subject) > MAX_SUBJECT:
        raise ForumError(
            _("The subject can be at most %(max)s characters long.") % {"max": MAX_SUBJECT}
        )
    message = _clean_message(message)
    now = timezone.now()
    discussion = Discussion.objects.create(
        forum=forum, subject=subject, author=author, created_at=now
    )
    Post.objects.create(
        discussion=discussion, author=author, message=message, created_at=now, modified_at=now
    )
    if subscribe:
        _subscribe_to_discussion(discussion, author)
    return discussion


@transaction.atomic
def reply(parent: Post, author, message: str, *, subscribe: bool = True) -> Post:
    """Replies to a post. Raises ForumError for a non-participant or an empty message."""
    discussion = parent.discussion
    _check_participant(discussion.forum, author)
    message = _clean_message(message)
    now = timezone.now()
    post = Post.objects.create(
        discussion=discussion,
        parent=parent,
        author=author,
        message=message,
        created_at=now,
        modified_at=now,
    )
    if subscribe:
        _subscribe_to_discussion(discussion, author)
    return post


@transaction.atomic
def edit_post(post: Post, editor, message: str) -> Post:
    """Changes the text of the editor's own post while its edit window lasts (it is not mailed
    yet). Raises ForumError otherwise, or for an empty message."""
    if post.author_id != editor.pk:
        raise ForumError(_("You can only edit your own posts."))
    message = _clean_message(message)
    now = timezone.now()
    minutes = int(edit_window().total_seconds() // 60)
    too_late = ForumError(
        ngettext(
            "Posts can be edited for %(minutes)s minute after posting; this one can no longer "
            "be edited.",
            "Posts can be edited for %(minutes)s minutes after posting; this one can no longer "
            "be edited.",
            minutes,
        )
        % {"minutes": minutes}
    )
    if now >= post.editable_until:
        raise too_late
    # Conditional: the mail job may have claimed the post a moment ago.
    changed = Post.objects.filter(pk=post.pk, mailed_at__isnull=True).update(
        message=message, modified_at=now
    )
    if not changed:
        raise too_late
    post.message, post.modified_at = message, now
    return post


@transaction.atomic
def set_forum_subscription(forum: Forum, user, subscribed: bool) -> None:
    """Subscribes the user to the forum or unsubscribes them. Like Moodle, this resets their
    choices for single discussions of the forum. Refused in forced and disabled modes."""
    _check_participant(forum, user)
    if forum.mode == Mode.FORCED:
        raise ForumError(
            _("Everyone in the course is subscribed to this forum; it cannot be changed.")
        )
    if forum.mode == Mode.OFF:
        raise ForumError(_("Subscriptions are turned off for this forum."))
    ForumSubscription.objects.update_or_create(
        forum=forum, user=user, defaults={"subscribed": bool(subscribed)}
    )
    DiscussionSubscription.objects.filter(discussion__forum=forum, user=user).delete()


@transaction.atomic
def set_discussion_subscription(discussion: Discussion, user, subscribed: bool) -> None:
    """Subscribes the user to one discussion, or unsubscribes them from it whatever their forum
    choice. Refused in forced and disabled modes."""
    forum = discussion.forum
    _check_participant(forum, user)
    if forum.mode == Mode.FORCED:
        raise ForumError(
            _("Everyone in the course is subscribed to this forum; it cannot be changed.")
        )
    if forum.mode == Mode.OFF:
        raise ForumError(_("Subscriptions are turned off for this forum."))
    DiscussionSubscription.objects.update_or_create(
        discussion=discussion, user=user, defaults={"subscribed": bool(subscribed)}
    )


@transaction.atomic
def set_mail_mode(user, mode: str) -> None:
    """Each post in its own email, or one digest a day (for all forums)."""
    if mode not in MailPreference.Mode.values:
        raise ForumError(_("Choose how you want to receive forum posts."))
    MailPreference.objects.update_or_create(user=user, defaults={"mode": mode})


# Mail ---------------------------------------------------------------------------------------


def message_id(post_id: int) -> str:
    return f"<post-{post_id}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


def threading_headers(post: Post, parents: dict[int, int | None]) -> dict[str, str]:
    """Message-ID of the post; In-Reply-To its parent; References the chain from the
    discussion's first post to the parent, so mail clients group a discussion."""
    headers = {"Message-ID": message_id(post.pk)}
    if post.parent_id is None:
        return headers
    chain = []
    current: int | None = post.parent_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    chain.reverse()
    headers["In-Reply-To"] = message_id(post.parent_id)
    headers["References"] = " ".join(message_id(pk) for pk in chain)
    return headers


def _context(post: Post) -> dict:
    discussion = post.discussion
    return {
        "forum": discussion.forum.name,
        "discussion": discussion.subject,
        "author": post.author.display_name,
        "post": post.message,
        "course": discussion.forum.course.full_name,
    }


def mail_posts(now: datetime | None = None, batch: int = 200) -> dict[str, int]:
    """Sends every post whose edit window has passed and that is not mailed yet: one send() per
    post to its subscribers but the author and the digest readers. Idempotent: each post is
    claimed (mailed_at) in the transaction that sends it, and the dedupe key makes a repeat
    a no-op."""
    now = now or timezone.now()
    cutoff = now - edit_window()
    tally = {"posts": 0, "emails": 0}
    while True:
        due = list(
            Post.objects.filter(mailed_at__isnull=True, created_at__lte=cutoff)
            .select_related("author", "discussion__forum__course")
            .order_by("created_at", "id")[:batch]
        )
        if not due:
            return tally
        parents = dict(
            Post.objects.filter(discussion_id__in={p.discussion_id for p in due}).values_list(
                "id", "parent_id"
            )
        )
        for post in due:
            with transaction.atomic():
                claimed = Post.objects.filter(pk=post.pk, mailed_at__isnull=True).update(
                    mailed_at=now
                )
                if not claimed:
                    continue
                tally["posts"] += 1
                if post.discussion.forum.mode == Mode.OFF:
                    continue
                recipients = queries.subscribers(post.discussion).exclude(
                    pk__in=queries.wants_digest()
                )
                result = notifications.send(
                    KEY,
                    recipients,
                    context=_context(post),
                    sender=post.author,
                    url=post.get_absolute_url(),
                    dedupe_key=f"post:{post.pk}",
                    about=[post.discussion, post.discussion.forum.course],
                    data={
                        "email_headers": threading_headers(post, parents),
                        # Each subscriber may answer by email (notifications.inbound).
                        "reply": {"kind": "forum_post", "id": post.pk},
                    },
                )
                tally["emails"] += result.outputs.get("email", 0)


def digest_day(now: datetime) -> tuple[datetime, datetime]:
    """The day the digest sent now covers: the last whole day (in the site's time zone) whose
    posts are all past their edit window."""
    cutoff = timezone.localtime(now - edit_window())
    end = cutoff.replace(hour=0, minute=0, second=0, microsecond=0)
    return end - timedelta(days=1), end


def _digest_context(posts: list[Post], day: datetime) -> dict:
    """A digest told through forums.post's digest placeholders, typed so that each reader's
    template words it in their language (forum, discussion, author and post, which the type
    requires, join the names and texts for templates that ignore the digest)."""
    forums = sorted({p.discussion.forum.name for p in posts})
    courses = {p.discussion.forum.course.full_name for p in posts}
    items = [
        {
            "discussion": post.discussion.subject,
            "forum": post.discussion.forum.name,
            "author": post.author.display_name,
            "text": post.message,
            "url": f"{settings.SITE_URL}{post.get_absolute_url()}",
        }
        for post in posts
    ]
    context = {
        "forum": ", ".join(forums),
        "discussion": ", ".join(dict.fromkeys(item["discussion"] for item in items)),
        "author": ", ".join(dict.fromkeys(item["author"] for item in items)),
        "post": "\n\n".join(item["text"] for item in items),
        "digest_date": day.date(),
        "post_count": len(items),
        "posts": items,
    }
    if len(courses) == 1:
        context["course"] = courses.pop()
    return context


def send_daily_digests(now: datetime | None = None) -> dict[str, int]:
    """Sends each digest reader one email with the posts of the last whole day in the forums
    and discussions they are subscribed to (not their own posts). Readers who get the same posts
    share one send(); the dedupe key (the day) makes a second run send nothing."""
    now = now or timezone.now()
    start, end = digest_day(now)
    posts = list(
        Post.objects.filter(created_at__gte=start, created_at__lt=end)
        .select_related("author", "discussion__forum__course")
        .order_by("created_at", "id")
    )
    by_discussion: dict[int, list[Post]] = defaultdict(list)
    for post in posts:
        by_discussion[post.discussion_id].append(post)
    wanted: dict[int, list[Post]] = defaultdict(list)
    for discussion_posts in by_discussion.values():
        discussion = discussion_posts[0].discussion
        readers = (
            queries.subscribers(discussion)
            .filter(pk__in=queries.wants_digest())
            .values_list("pk", flat=True)
        )
        for reader in readers:
            for post in discussion_posts:
                if post.author_id != reader:
                    wanted[reader].append(post)
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    chosen: dict[tuple[int, ...], list[Post]] = {}
    for reader, reader_posts in wanted.items():
        reader_posts.sort(key=lambda p: (p.created_at, p.pk))
        ids = tuple(p.pk for p in reader_posts)
        groups[ids].append(reader)
        chosen[ids] = reader_posts
    tally = {"digests": 0, "posts": len(posts)}
    for ids, readers in groups.items():
        result = notifications.send(
            KEY,
            readers,
            context=_digest_context(chosen[ids], start),
            url="/forums/",
            dedupe_key=f"digest:{start.date().isoformat()}",
        )
        tally["digests"] += result.recipients
    return tally


def reply_by_email(user, post_id: int, text: str, attachments) -> Post:
    """A reply by email to a post's email becomes a reply in its discussion (attachments are
    not kept: forum posts here are text)."""
    from notifications.inbound import InboundRejected

    parent = Post.objects.select_related("discussion__forum").filter(pk=post_id).first()
    if parent is None:
        raise InboundRejected("The post no longer exists.", code="target_gone")
    try:
        return reply(parent, user, text)
    except ForumError as error:
        raise InboundRejected(str(error)) from None
