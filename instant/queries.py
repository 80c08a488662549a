"""Reads for the messaging pages and API: a constant number of queries per page."""

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from instant.models import Conversation, HiddenMessage, Membership, Message

PAGE = 30


def _unread_subquery(user):
    return Coalesce(
        Subquery(
            Message.objects.filter(
                conversation=OuterRef("conversation_id"), created_at__gt=OuterRef("last_read_at")
            )
            .exclude(sender=user)
            .order_by()
            .values("conversation")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def _members() -> Prefetch:
    """Each conversation's memberships with their users, as `conversation.members`."""
    return Prefetch(
        "conversation__memberships",
        queryset=Membership.objects.select_related("user").order_by("user__full_name"),
        to_attr="members",
    )


def conversations_for(user, search: str = "", favourites: bool = False):
    """The user's memberships with their conversation, unread count, last message and members:
    unread first, then favourites, then the most recent."""
    last = Message.objects.filter(conversation=OuterRef("conversation_id")).order_by(
        "-created_at", "-id"
    )
    rows = (
        Membership.objects.filter(user=user, hidden=False)
        .select_related("conversation")
        .annotate(
            unread=_unread_subquery(user),
            last_body=Subquery(last.values("body")[:1]),
            last_sender=Subquery(last.values("sender_id")[:1]),
        )
        .prefetch_related(_members())
    )
    if favourites:
        rows = rows.filter(favourite=True)
    search = (search or "").strip()
    if search:
        others = Membership.objects.filter(
            conversation=OuterRef("conversation_id"), user__full_name__icontains=search
        ).exclude(user=user)
        rows = rows.filter(Q(conversation__name__icontains=search) | Exists(others))
    has_unread = Case(When(unread__gt=0, then=Value(1)), default=Value(0))
    return rows.annotate(has_unread=has_unread).order_by(
        "-has_unread", "-favourite", F("conversation__last_message_at").desc(nulls_last=True)
    )


def thread(user, conversation, before: int | None = None, limit: int = PAGE):
    """Up to `limit` messages before message id `before` (newest page by default), oldest first,
    without those the user deleted for themselves. Returns (messages, has_older)."""
    rows = (
        Message.objects.filter(conversation=conversation)
        .exclude(Exists(HiddenMessage.objects.filter(message=OuterRef("pk"), user=user)))
        .select_related("sender")
        .order_by("-created_at", "-id")
    )
    if before:
        rows = rows.filter(pk__lt=before)
    page = list(rows[: limit + 1])
    return list(reversed(page[:limit])), len(page) > limit


def missed(user, since_id: int, limit: int = 200):
    """Messages in the user's conversations after message id `since_id`: what a tab that was
    away asks for when it reconnects."""
    return list(
        Message.objects.filter(conversation__memberships__user=user, pk__gt=since_id)
        .select_related("sender")
        .order_by("id")[:limit]
    )


def read_receipt(user, conversation):
    """When the other member of a one-to-one last read it (None for other kinds)."""
    if conversation.kind != Conversation.Kind.ONE_TO_ONE:
        return None
    return (
        Membership.objects.filter(conversation=conversation)
        .exclude(user=user)
        .values_list("last_read_at", flat=True)
        .first()
    )


def membership_for(user, conversation) -> Membership:
    """The user's membership of the conversation with its members, as title_for reads them."""
    return (
        Membership.objects.filter(user=user, conversation=conversation)
        .select_related("conversation")
        .prefetch_related(_members())
        .get()
    )


def title_for(user, membership) -> str:
    conversation = membership.conversation
    if conversation.kind == Conversation.Kind.SELF:
        return gettext("My notes")
    if conversation.name:
        return conversation.name
    others = [m.user.display_name for m in membership.conversation.members if m.user_id != user.pk]
    return ", ".join(others) or gettext("Conversation")
