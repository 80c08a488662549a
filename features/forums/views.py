"""Forum pages: thin views over features.forums.actions. Course participants only (404 else)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from features.forums import actions, queries
from features.forums.models import Discussion, Forum, MailPreference, Post, edit_window


def _forum_or_404(request, forum_id: int) -> Forum:
    forum = get_object_or_404(Forum.objects.select_related("course"), pk=forum_id)
    if not queries.is_participant(forum.course_id, request.user):
        raise Http404("No such forum.")
    return forum


def _discussion_or_404(request, discussion_id: int) -> Discussion:
    discussion = get_object_or_404(
        Discussion.objects.select_related("forum__course"), pk=discussion_id
    )
    if not queries.is_participant(discussion.forum.course_id, request.user):
        raise Http404("No such discussion.")
    return discussion


def _wants(request) -> bool:
    return request.POST.get("subscribed") == "1"


@login_required
@require_GET
def forum_list(request):
    forums = queries.forums_of(request.user).order_by("course__full_name", "name")
    return render(request, "forums/forum_list.html", {"forums": forums})


def _forum_page(request, forum: Forum, *, error: str = "", draft=None, status: int = 200):
    discussions = list(
        forum.discussions.select_related("author")
        .annotate(post_count=Count("posts"), last_post_at=Max("posts__created_at"))
        .order_by("-last_post_at", "-id")
    )
    state = queries.forum_state(forum, request.user)
    states = queries.discussion_states(forum, state, request.user, [d.pk for d in discussions])
    context = {
        "forum": forum,
        "state": state,
        "rows": [{"discussion": d, "state": states[d.pk]} for d in discussions],
        "mail_mode": queries.mail_mode(request.user),
        "mail_modes": MailPreference.Mode.choices,
        "error": error,
        "draft": draft or {"subject": "", "message": "", "subscribe": True},
    }
    return render(request, "forums/forum.html", context, status=status)


@login_required
@require_GET
def forum_detail(request, forum_id: int):
    return _forum_page(request, _forum_or_404(request, forum_id))


@login_required
@require_POST
def start_discussion(request, forum_id: int):
    forum = _forum_or_404(request, forum_id)
    draft = {
        "subject": request.POST.get("subject", ""),
        "message": request.POST.get("message", ""),
        "subscribe": request.POST.get("subscribe") == "1",
    }
    try:
        discussion = actions.start_discussion(
            forum, request.user, draft["subject"], draft["message"], subscribe=draft["subscribe"]
        )
    except actions.ForumError as error:
        return _forum_page(request, forum, error=str(error), draft=draft, status=400)
    messages.success(request, _posted_message())
    return redirect(discussion.get_absolute_url())


def _posted_message() -> str:
    minutes = int(edit_window().total_seconds() // 60)
    return ngettext(
        "Your post is saved. You can edit it for %(minutes)s minute; then it is sent to the "
        "subscribers.",
        "Your post is saved. You can edit it for %(minutes)s minutes; then it is sent to the "
        "subscribers.",
        minutes,
    ) % {"minutes": minutes}


@login_required
@require_POST
def forum_subscription(request, forum_id: int):
    forum = _forum_or_404(request, forum_id)
    subscribed = _wants(request)
    try:
        actions.set_forum_subscription(forum, request.user, subscribed)
    except actions.ForumError as error:
        return _forum_page(request, forum, error=str(error), status=400)
    if subscribed:
        messages.success(request, _("You are subscribed to %(forum)s.") % {"forum": forum.name})
    else:
        messages.success(
            request, _("You are no longer subscribed to %(forum)s.") % {"forum": forum.name}
        )
    return redirect(forum.get_absolute_url())


@login_required
@require_POST
def mail_preference(request, forum_id: int):
    forum = _forum_or_404(request, forum_id)
    try:
        actions.set_mail_mode(request.user, request.POST.get("mode", ""))
    except actions.ForumError as error:
        return _forum_page(request, forum, error=str(error), status=400)
    if request.POST["mode"] == MailPreference.Mode.DIGEST:
        messages.success(request, _("You will get one digest email a day with the new posts."))
    else:
        messages.success(request, _("You will get each new post in its own email."))
    return redirect(forum.get_absolute_url())


def _discussion_page(
    request, discussion: Discussion, *, error: str = "", draft=None, status: int = 200
):
    posts = list(discussion.posts.select_related("author").order_by("created_at", "id"))
    by_id = {p.pk: p for p in posts}
    draft = draft or {"message": "", "subscribe": True, "parent": None}
    parent = by_id.get(draft.get("parent") or _int(request.GET.get("reply"))) or (
        posts[0] if posts else None
    )
    now = timezone.now()
    forum_state = queries.forum_state(discussion.forum, request.user)
    state = queries.discussion_states(discussion.forum, forum_state, request.user, [discussion.pk])[
        discussion.pk
    ]
    rows = [
        {
            "post": p,
            "parent": by_id.get(p.parent_id),
            "can_edit": p.can_edit(request.user, now),
        }
        for p in posts
    ]
    context = {
        "discussion": discussion,
        "forum": discussion.forum,
        "rows": rows,
        "parent": parent,
        "state": state,
        "error": error,
        "draft": draft,
    }
    return render(request, "forums/discussion.html", context, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def discussion_detail(request, discussion_id: int):
    return _discussion_page(request, _discussion_or_404(request, discussion_id))


@login_required
@require_POST
def reply(request, discussion_id: int):
    discussion = _discussion_or_404(request, discussion_id)
    parent = get_object_or_404(
        Post.objects.select_related("discussion__forum__course"),
        pk=_int(request.POST.get("parent")),
        discussion=discussion,
    )
    draft = {
        "message": request.POST.get("message", ""),
        "subscribe": request.POST.get("subscribe") == "1",
        "parent": parent.pk,
    }
    try:
        post = actions.reply(parent, request.user, draft["message"], subscribe=draft["subscribe"])
    except actions.ForumError as error:
        return _discussion_page(request, discussion, error=str(error), draft=draft, status=400)
    messages.success(request, _posted_message())
    return redirect(post.get_absolute_url())


@login_required
@require_POST
def discussion_subscription(request, discussion_id: int):
    discussion = _discussion_or_404(request, discussion_id)
    subscribed = _wants(request)
    try:
        actions.set_discussion_subscription(discussion, request.user, subscribed)
    except actions.ForumError as error:
        return _discussion_page(request, discussion, error=str(error), status=400)
    if subscribed:
        messages.success(
            request,
            _("You are subscribed to the discussion %(subject)s.")
            % {"subject": discussion.subject},
        )
    else:
        messages.success(
            request,
            _("You are no longer subscribed to the discussion %(subject)s.")
            % {"subject": discussion.subject},
        )
    if request.POST.get("next") == "forum":
        return redirect(discussion.forum.get_absolute_url())
    return redirect(discussion.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def edit_post(request, post_id: int):
    """The author's own post only (404 for anyone else's)."""
    post = get_object_or_404(
        Post.objects.select_related("discussion__forum__course"), pk=post_id, author=request.user
    )
    text = post.message
    error = ""
    status = 200
    if request.method == "POST":
        text = request.POST.get("message", "")
        try:
            actions.edit_post(post, request.user, text)
        except actions.ForumError as e:
            error, status = str(e), 400
        else:
            messages.success(request, _("Your post is updated."))
            return redirect(post.get_absolute_url())
    context = {
        "post": post,
        "discussion": post.discussion,
        "text": text,
        "error": error,
        "can_edit": post.can_edit(request.user),
    }
    return render(request, "forums/edit_post.html", context, status=status)
