"""Messaging pages: thin views over instant.queries (reads) and instant.actions (changes)."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from features.courses.models import Course, Enrolment
from instant import actions, queries, rules
from instant.models import (
    Block,
    Contact,
    ContactRequest,
    Conversation,
    Membership,
    MessagingSettings,
    Privacy,
)
from notifications import presence


def _ids(values) -> list[int]:
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError):
        raise ValueError(_("members: each must be a user id")) from None


def _conversation_or_404(user, conversation_id):
    try:
        return actions.conversation_for(user, conversation_id)
    except Conversation.DoesNotExist:
        raise Http404(_("No such conversation.")) from None


def _list_context(request):
    search = request.GET.get("q", "")
    favourites = request.GET.get("favourites") == "1"
    rows = list(queries.conversations_for(request.user, search, favourites))
    for row in rows:
        row.title = queries.title_for(request.user, row)
    return {"rows": rows, "q": search, "favourites": favourites}


@login_required
@require_GET
def inbox(request, conversation_id: int | None = None):
    context = _list_context(request)
    if conversation_id is not None:
        conversation = _conversation_or_404(request.user, conversation_id)
        context.update(_thread_context(request, conversation))
        context["draft"] = request.session.pop(f"draft:{conversation.pk}", "")
        actions.mark_read(request.user, conversation.pk)
    return render(request, "instant/messages.html", context)


def _thread_context(request, conversation, before=None):
    items, has_older = queries.thread(request.user, conversation, before=before)
    membership = Membership.objects.get(conversation=conversation, user=request.user)
    receipt = queries.read_receipt(request.user, conversation)
    members = list(conversation.memberships.select_related("user"))
    others = [m.user for m in members if m.user_id != request.user.pk]
    visible = rules.can_see_online(request.user.pk, [u.pk for u in others])
    online = presence.with_open_socket(visible)  # one round trip for a group conversation
    return {
        "conversation": conversation,
        "membership": membership,
        "items": items,
        "has_older": has_older,
        "receipt": receipt,
        "others": others,
        "online": online,
        "title": conversation.name
        or (", ".join(u.display_name for u in others) if others else _("My notes")),
    }


@login_required
@require_GET
def older(request, conversation_id: int):
    conversation = _conversation_or_404(request.user, conversation_id)
    try:
        before = int(request.GET["before"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest(_("before: a message id is required"))
    context = _thread_context(request, conversation, before=before)
    return render(request, "instant/_older.html", context)


@login_required
@require_GET
def thread_partial(request, conversation_id: int):
    """The thread alone, for live refresh of an open conversation."""
    conversation = _conversation_or_404(request.user, conversation_id)
    actions.mark_read(request.user, conversation.pk)
    return render(request, "instant/_thread.html", _thread_context(request, conversation))


@login_required
@require_POST
def start(request):
    try:
        members = _ids(request.POST.getlist("members"))
    except ValueError as error:
        return HttpResponseBadRequest(str(error))
    try:
        conversation, _created = actions.start_conversation(
            request.user, members, request.POST.get("name", "")
        )
    except actions.MessagingError as error:
        messages.error(request, str(error))
        return redirect(request.POST.get("back") or "messages")
    return redirect("conversation", conversation.pk)


@login_required
@require_POST
def send(request, conversation_id: int):
    body = request.POST.get("body", "")
    try:
        # The action reads the conversation (404 for outsiders); no second read here.
        message = actions.send_message(request.user, conversation_id, body)
    except Conversation.DoesNotExist:
        raise Http404(_("No such conversation.")) from None
    except actions.MessagingError as error:
        if request.htmx:
            response = HttpResponse(
                str(error), status=429 if isinstance(error, actions.RateLimited) else 400
            )
            return response
        messages.error(request, str(error))
        # Nothing the user typed is lost: the composer shows it again.
        request.session[f"draft:{conversation_id}"] = body
        return redirect("conversation", conversation_id)
    request.session.pop(f"draft:{conversation_id}", None)
    if request.htmx:
        context = _thread_context(request, message.conversation)
        return render(request, "instant/_thread.html", context)
    return redirect("conversation", conversation_id)


@login_required
@require_POST
def flags(request, conversation_id: int):
    conversation = _conversation_or_404(request.user, conversation_id)
    field = request.POST.get("flag")
    if field not in {"muted", "favourite", "hidden"}:
        return HttpResponseBadRequest(_("flag: one of muted, favourite, hidden"))
    actions.set_flags(request.user, conversation.pk, **{field: request.POST.get("value") == "1"})
    if field == "hidden":
        return redirect("messages")
    return redirect("conversation", conversation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def mute(request, conversation_id: int):
    """Where a new-message email's "Mute this conversation" link lands: GET asks to confirm,
    POST mutes (its messages are no longer emailed or pushed, nor counted unread). Only a member
    reaches it; anyone else gets 404."""
    conversation = _conversation_or_404(request.user, conversation_id)
    if request.method == "POST":
        actions.set_flags(request.user, conversation.pk, muted=True)
        messages.success(
            request,
            _("The conversation is muted: its messages will not be emailed or pushed to you."),
        )
        return redirect("conversation", conversation.pk)
    membership = queries.membership_for(request.user, conversation)
    return render(
        request,
        "instant/mute.html",
        {
            "conversation": conversation,
            "title": queries.title_for(request.user, membership),
            "muted": membership.muted,
        },
    )


@login_required
@require_POST
def delete_message(request, conversation_id: int, message_id: int):
    conversation = _conversation_or_404(request.user, conversation_id)
    try:
        actions.delete_for_me(request.user, message_id)
    except Exception:
        raise Http404(_("No such message.")) from None
    return redirect("conversation", conversation.pk)


# Profiles, contacts, privacy


@login_required
@require_GET
def profile(request, user_id: int):
    other = get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    me = request.user
    visible = other.pk in rules.can_see_online(me.pk, [other.pk])
    return render(
        request,
        "instant/profile.html",
        {
            "other": other,
            "is_me": other.pk == me.pk,
            "refusal": rules.refusals(me, [other.pk]).get(other.pk),
            "contact": Contact.objects.filter(user=me, contact=other).exists(),
            "requested": ContactRequest.objects.filter(requester=me, requested=other).exists(),
            "asked_me": ContactRequest.objects.filter(requester=other, requested=me).exists(),
            "blocked": Block.objects.filter(blocker=me, blocked=other).exists(),
            "online": visible and presence.has_open_socket(other.pk),
        },
    )


@login_required
@require_POST
def contact_action(request, user_id: int):
    verb = request.POST.get("do")
    handlers = {
        "request": actions.request_contact,
        "accept": actions.accept_contact,
        "decline": actions.decline_contact,
        "remove": actions.remove_contact,
        "block": actions.block,
        "unblock": actions.unblock,
    }
    if verb not in handlers:
        return HttpResponseBadRequest(_("do: one of %s") % ", ".join(handlers))
    get_object_or_404(get_user_model(), pk=user_id, is_active=True)
    try:
        handlers[verb](request.user, user_id)
    except actions.MessagingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Done."))
    return redirect(request.POST.get("next") or reverse("profile", args=[user_id]))


@login_required
def settings_page(request):
    if request.method == "POST":
        try:
            actions.set_privacy(request.user, request.POST.get("privacy", ""))
        except actions.MessagingError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your messaging privacy is saved."))
        return redirect("messaging-settings")
    current = (
        MessagingSettings.objects.filter(user=request.user)
        .values_list("privacy", flat=True)
        .first()
        or Privacy.COURSES
    )
    requests_in = ContactRequest.objects.filter(requested=request.user).select_related("requester")
    contacts = Contact.objects.filter(user=request.user).select_related("contact")
    blocked = Block.objects.filter(blocker=request.user).select_related("blocked")
    return render(
        request,
        "instant/settings.html",
        {
            "privacy": current,
            "choices": Privacy.choices,
            "requests_in": requests_in,
            "contacts": contacts,
            "blocked": blocked,
        },
    )


# A course's People block (trainers and admins message chosen participants)


@login_required
def people(request, course_id: int):
    course = get_object_or_404(Course, pk=course_id)
    me = request.user
    teaches = Enrolment.objects.active().trainers().filter(course=course, user=me).exists()
    member = Enrolment.objects.active().filter(course=course, user=me).exists()
    if not (me.is_superuser or member):
        raise Http404(_("No such course."))
    participants = (
        Enrolment.objects.active().filter(course=course).exclude(user=me).select_related("user")
    )
    can_message_all = teaches or me.is_superuser
    if request.method == "POST":
        if not can_message_all:
            return HttpResponseForbidden(
                _("Only the course's trainers and site admins message its participants in bulk.")
            )
        try:
            chosen = _ids(request.POST.getlist("to"))
        except ValueError as error:
            return HttpResponseBadRequest(str(error))
        strangers = set(chosen) - {e.user_id for e in participants}
        if strangers:
            return HttpResponseBadRequest(_("Choose people enrolled in this course."))
        if not chosen:
            messages.error(request, _("Choose at least one person."))
        else:
            try:
                sent, refused = actions.message_each(me, chosen, request.POST.get("body", ""))
            except actions.MessagingError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    ngettext(
                        "Message sent to %(count)d person.",
                        "Message sent to %(count)d people.",
                        sent,
                    )
                    % {"count": sent},
                )
                for reason in refused.values():
                    messages.error(request, reason)
        return redirect("people", course.pk)
    return render(
        request,
        "instant/people.html",
        {
            "course": course,
            "participants": participants,
            "can_message_all": can_message_all,
        },
    )


@login_required
@require_GET
def messages_block(request):
    return render(request, "instant/block_messages.html")
