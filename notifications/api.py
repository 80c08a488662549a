"""JSON API: counters, messaging preferences and quiet hours."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from notifications import flows, live
from notifications.catalogue import OUTPUTS


class CountsView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Counts",
            {
                "alerts": serializers.IntegerField(),
                "tasks": serializers.IntegerField(),
                "messages": serializers.IntegerField(),
            },
        )
    )
    def get(self, request):
        """Unread alerts, open tasks and unread messages of the user."""
        return Response(live.counts_for(request.user))


class PreferenceSerializer(serializers.Serializer):
    key = serializers.CharField()
    output = serializers.ChoiceField(choices=list(OUTPUTS))
    logged_in = serializers.BooleanField()
    logged_off = serializers.BooleanField()
    locked = serializers.BooleanField(read_only=True)
    reason = serializers.CharField(read_only=True)
    keeps = serializers.CharField(
        read_only=True,
        help_text='What this email carries that must be kept ("a calendar invitation"), or "": '
        "then logged_in and logged_off are one choice and must be equal.",
    )


class PreferencesView(APIView):
    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request):
        """One item per message type and output, with the user's effective choice."""
        return Response([row.as_dict() for row in flows.preference_grid(request.user)])

    @extend_schema(
        request=PreferenceSerializer(many=True), responses=PreferenceSerializer(many=True)
    )
    def patch(self, request):
        """Changes the listed items, all or none. Locked items answer 400."""
        try:
            flows.update_preferences(request.user, request.data)
        except flows.PreferenceErrors as error:
            return Response(
                {"errors": {str(i): e for i, e in error.errors.items()}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response([row.as_dict() for row in flows.preference_grid(request.user)])


class QuietHoursSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(
        help_text="Hold email and push notifications during quiet hours."
    )
    start = serializers.CharField(help_text='Quiet from this time, "HH:MM" in `timezone`.')
    end = serializers.CharField(
        help_text='Quiet until this time, "HH:MM"; earlier than `start` means the next morning.'
    )
    weekends = serializers.BooleanField(help_text="Saturday and Sunday are quiet all day.")
    timezone = serializers.CharField(read_only=True, help_text="The user's time zone.")
    quiet_until = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When the current quiet period ends (UTC), or null when email goes now.",
    )


class QuietHoursView(APIView):
    @extend_schema(responses=QuietHoursSerializer)
    def get(self, request):
        """The user's quiet hours: email (not urgent messages) waits while they last."""
        return Response(flows.quiet_hours_of(request.user))

    @extend_schema(request=QuietHoursSerializer(partial=True), responses=QuietHoursSerializer)
    def patch(self, request):
        """Changes the given fields, all or none; a bad value answers 400 with
        `{"errors": {field: why}}` and changes nothing."""
        try:
            return Response(flows.set_quiet_hours(request.user, request.data))
        except flows.QuietHoursErrors as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
