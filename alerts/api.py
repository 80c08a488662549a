"""JSON API: alerts and tasks. The same queries and actions as the pages."""

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from alerts import actions, queries
from alerts.models import Alert
from alerts.presenting import Presenter


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField()
    kind = serializers.CharField()
    subject = serializers.CharField()
    body = serializers.CharField(help_text="Sanitised HTML")
    url = serializers.CharField()
    urgency = serializers.CharField()
    sender = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    read = serializers.BooleanField()
    why_url = serializers.CharField(help_text='The "Why did I get this?" page of this item')
    snoozed_until = serializers.DateTimeField(allow_null=True)
    archived = serializers.BooleanField()


FILTERS = [
    OpenApiParameter("box", str, enum=["inbox", "snoozed", "archived"], description="The tab"),
    OpenApiParameter("unread", str, description="1: unread alerts or open tasks only"),
    OpenApiParameter("feature", str),
    OpenApiParameter("urgency", str, enum=["low", "normal", "urgent"]),
    OpenApiParameter("page", int),
]


class _InboxList(APIView):
    kind = ""

    @extend_schema(parameters=FILTERS, responses=ItemSerializer(many=True))
    def get(self, request):
        try:
            rows, _filters = queries.inbox(request.user, self.kind, request.query_params)
        except ValidationError as error:
            return Response(dict(error.message_dict.items()), status=status.HTTP_400_BAD_REQUEST)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        presenter = Presenter(request.user)
        return paginator.get_paginated_response([presenter.as_dict(r) for r in page])


class AlertList(_InboxList):
    kind = Alert.Kind.ALERT


class TaskList(_InboxList):
    kind = Alert.Kind.TASK


Done = inline_serializer("Done", {"read": serializers.IntegerField()})


class AlertRead(APIView):
    @extend_schema(request=None, responses=Done)
    def post(self, request, alert_id: int):
        """Marks one alert read. Another user's alert answers 404."""
        if not Alert.objects.for_user(request.user).alerts().filter(pk=alert_id).exists():
            raise Http404
        return Response({"read": actions.mark_read(request.user, [alert_id])})


class AlertReadAll(APIView):
    @extend_schema(request=None, responses=Done)
    def post(self, request):
        """Marks every unread alert read, in one UPDATE."""
        feature = request.data.get("feature") if hasattr(request.data, "get") else None
        return Response({"read": actions.mark_all_read(request.user, feature or None)})


class TaskActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class TaskAct(APIView):
    @extend_schema(request=TaskActionSerializer, responses=ItemSerializer)
    def post(self, request, task_id: int, action: str):
        """Acts on a task (e.g. accept, decline, dismiss). 409 if someone already acted."""
        data = TaskActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            task = actions.act_on_task(
                request.user, task_id, action, data.validated_data.get("comment", "")
            )
        except Alert.DoesNotExist:
            raise Http404 from None
        except actions.InboxError as error:
            return Response({"action": [str(error)]}, status=status.HTTP_409_CONFLICT)
        task = queries.with_display(Alert.objects.filter(pk=task.pk)).get()
        return Response(Presenter(request.user).as_dict(task))


class StateSerializer(serializers.Serializer):
    snooze = serializers.ChoiceField(choices=actions.SNOOZE_CHOICES, required=False)
    until = serializers.CharField(
        required=False, allow_blank=True, help_text="YYYY-MM-DD or YYYY-MM-DDTHH:MM, local"
    )


class ItemState(APIView):
    @extend_schema(request=StateSerializer, responses=ItemSerializer)
    def post(self, request, item_id: int, change: str):
        """Snoozes (with `snooze`: hour, tomorrow or date with `until`), unsnoozes, archives,
        unarchives or marks unread one alert or task. Another user's item answers 404; a
        change that cannot be made, 400 and nothing changes."""
        if not Alert.objects.for_user(request.user).filter(pk=item_id).exists():
            raise Http404
        data = StateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            actions.change_state(
                request.user,
                [item_id],
                change,
                data.validated_data.get("snooze", ""),
                data.validated_data.get("until", ""),
            )
        except actions.InboxError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        item = queries.with_display(Alert.objects.filter(pk=item_id)).get()
        return Response(Presenter(request.user).as_dict(item))
