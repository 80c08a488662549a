"""JSON API for conversations and messages: the same rules and actions as the pages."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from instant import actions, queries
from instant.models import MAX_MESSAGE_LENGTH, Conversation
from instant.presenting import message_item


class ConversationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    members = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    unread = serializers.IntegerField(read_only=True)
    favourite = serializers.BooleanField(read_only=True)
    muted = serializers.BooleanField(read_only=True)
    last_message_at = serializers.DateTimeField(read_only=True, allow_null=True)


class MessageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    sender = serializers.IntegerField(read_only=True)
    body = serializers.CharField(max_length=MAX_MESSAGE_LENGTH, trim_whitespace=True)
    created_at = serializers.DateTimeField(read_only=True)


def _conversation_item(row) -> dict:
    conversation = row.conversation
    return {
        "id": conversation.pk,
        "kind": conversation.kind,
        "name": conversation.name,
        "members": [m.user_id for m in conversation.members],
        "unread": row.unread,
        "favourite": row.favourite,
        "muted": row.muted,
        "last_message_at": conversation.last_message_at,
    }


def _refused(error):
    code = status.HTTP_429_TOO_MANY_REQUESTS if isinstance(error, actions.RateLimited) else 403
    return Response({"detail": str(error)}, status=code)


class ConversationList(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("q", str), OpenApiParameter("favourites", bool)],
        responses=ConversationSerializer(many=True),
    )
    def get(self, request):
        """The user's conversations: unread first, then favourites, then the most recent."""
        rows = queries.conversations_for(
            request.user,
            request.query_params.get("q", ""),
            request.query_params.get("favourites") == "1",
        )
        return Response([_conversation_item(r) for r in rows[:200]])

    @extend_schema(request=ConversationSerializer, responses=ConversationSerializer)
    def post(self, request):
        """Starts a conversation; an existing one-to-one is returned (200), not made again."""
        data = ConversationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            conversation, created = actions.start_conversation(
                request.user, data.validated_data["members"], data.validated_data.get("name", "")
            )
        except actions.MessagingError as error:
            return _refused(error)
        row = queries.conversations_for(request.user).get(conversation=conversation)
        return Response(_conversation_item(row), status=201 if created else 200)


class MessageList(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("before", int, description="messages older than this id")],
        responses=MessageSerializer(many=True),
    )
    def get(self, request, conversation_id: int):
        """A page of messages, oldest first; `has_older` says whether to ask with ?before=."""
        conversation = self._conversation(request, conversation_id)
        before = request.query_params.get("before")
        if before is not None and not before.isdigit():
            return Response({"before": [_("A message id.")]}, status=400)
        items, has_older = queries.thread(
            request.user, conversation, before=int(before or 0) or None
        )
        return Response(
            {
                "results": [message_item(m, m.sender.display_name) for m in items],
                "has_older": has_older,
            }
        )

    @extend_schema(request=MessageSerializer, responses=MessageSerializer)
    def post(self, request, conversation_id: int):
        """Sends a message (at most 4,096 characters). 403 with the reason when refused, 429 when
        the sender is over the rate limit."""
        data = MessageSerializer(data=request.data)
        if not data.is_valid():
            self._conversation(request, conversation_id)  # outsiders get 404, not the 400
            raise serializers.ValidationError(data.errors)
        try:
            # The action reads the conversation (404 for outsiders); no second read here.
            message = actions.send_message(
                request.user, conversation_id, data.validated_data["body"]
            )
        except Conversation.DoesNotExist:
            raise Http404 from None
        except actions.MessagingError as error:
            return _refused(error)
        return Response(message_item(message, request.user.display_name), status=201)

    def _conversation(self, request, conversation_id):
        try:
            return actions.conversation_for(request.user, conversation_id)
        except Conversation.DoesNotExist:
            raise Http404 from None


class ConversationRead(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request, conversation_id: int):
        """Marks the conversation read; the other member of a one-to-one sees the receipt."""
        try:
            actions.mark_read(request.user, conversation_id)
        except Conversation.DoesNotExist:
            raise Http404 from None
        return Response(status=204)
