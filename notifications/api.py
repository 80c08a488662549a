"""JSON API: counters, messaging preferences, quiet hours, mutes and email cadence."""

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import actions as account_actions
from notifications import flows, live, muting
from notifications.catalogue import OUTPUTS
from notifications.models import Mute


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


class MuteSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    subject = serializers.CharField(help_text='What is muted: "courses.course:3", ...')
    label = serializers.CharField(read_only=True)
    hide_web = serializers.BooleanField(
        default=False, help_text="Also keep its alerts out of the inbox (tasks still come)."
    )
    event = serializers.IntegerField(
        write_only=True, help_text="A message of yours that comes from `subject`."
    )
    created_at = serializers.DateTimeField(read_only=True)


def _mute_dict(mute: Mute) -> dict:
    return {
        "id": mute.pk,
        "subject": mute.subject,
        "label": mute.label,
        "hide_web": mute.hide_web,
        "created_at": mute.created_at,
    }


class MuteList(APIView):
    @extend_schema(responses=MuteSerializer(many=True))
    def get(self, request):
        """What the user muted: nothing from these is emailed or pushed to them."""
        return Response([_mute_dict(m) for m in Mute.objects.filter(user=request.user)])

    @extend_schema(request=MuteSerializer, responses=MuteSerializer)
    def post(self, request):
        """Mutes `subject`, named by one of the user's messages (`event`); again updates
        `hide_web`. A subject the user may not mute answers 400 with the reason."""
        data = request.data if isinstance(request.data, dict) else {}
        hide_web = data.get("hide_web", False)
        if not isinstance(hide_web, bool):
            return Response(
                {"errors": {"hide_web": _("Must be true or false.")}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            mute = muting.mute(
                request.user,
                str(data.get("subject", "")),
                event_id=data.get("event"),
                hide_web=hide_web,
            )
        except muting.MuteError as error:
            return Response({"errors": {"subject": str(error)}}, status=status.HTTP_400_BAD_REQUEST)
        return Response(_mute_dict(mute), status=status.HTTP_201_CREATED)


class MuteDetail(APIView):
    def delete(self, request, mute_id: int):
        """Unmutes; another user's mute (or none) answers 404."""
        if not muting.unmute(request.user, mute_id):
            return Response({"detail": _("No such mute.")}, status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


CADENCES = ["immediately", "daily", "weekly", "never"]


class FeatureCadenceSerializer(serializers.Serializer):
    feature = serializers.CharField(read_only=True, help_text="The feature's label.")
    name = serializers.CharField(read_only=True)
    cadence = serializers.ChoiceField(
        choices=CADENCES, allow_null=True, help_text="The user's choice; null: their default."
    )
    effective = serializers.ChoiceField(choices=CADENCES, read_only=True)


class CadenceSerializer(serializers.Serializer):
    default = serializers.ChoiceField(
        choices=CADENCES,
        allow_null=True,
        help_text="For every feature not set on its own; null: the site's default.",
    )
    site_default = serializers.ChoiceField(choices=CADENCES, read_only=True)
    features = FeatureCadenceSerializer(many=True, read_only=True)


class CadencePatchSerializer(serializers.Serializer):
    default = serializers.ChoiceField(choices=CADENCES, allow_null=True, required=False)
    features = serializers.DictField(
        child=serializers.ChoiceField(choices=CADENCES, allow_null=True),
        required=False,
        help_text="{feature label: cadence or null}.",
    )


class CadenceView(APIView):
    @extend_schema(responses=CadenceSerializer)
    def get(self, request):
        """How often the user's email comes, per feature: immediately, in a daily or weekly
        digest (07:00 in their time zone; weekly on Mondays), or never. Tasks, urgent
        messages, calendar invitations and email the site forces are always sent at once."""
        return Response(flows.cadence_of(request.user))

    @extend_schema(request=CadencePatchSerializer, responses=CadenceSerializer)
    def patch(self, request):
        """Changes `default` and/or `features`, all or none; a bad value answers 400 with
        `{"errors": {field: why}}` (`features.<label>` for one feature) and changes nothing."""
        try:
            return Response(flows.set_cadence(request.user, request.data))
        except flows.CadenceErrors as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)


class LanguageSerializer(serializers.Serializer):
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, help_text="Pages and messages are in this language."
    )
    timezone = serializers.CharField(
        help_text="An IANA time zone, e.g. Europe/Paris: dates are shown in it."
    )


class LanguageView(APIView):
    @extend_schema(responses=LanguageSerializer)
    def get(self, request):
        """The user's language and time zone."""
        return Response(account_actions.language_and_timezone_of(request.user))

    @extend_schema(request=LanguageSerializer(partial=True), responses=LanguageSerializer)
    def patch(self, request):
        """Changes the given fields, all or none; a bad value answers 400 with
        `{"errors": {field: why}}` (in the user's language) and changes nothing."""
        try:
            return Response(account_actions.set_language_and_timezone(request.user, request.data))
        except account_actions.ProfileErrors as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
