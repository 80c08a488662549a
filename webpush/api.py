"""JSON API of push notifications: the key browsers subscribe with, and the user's own
subscriptions."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from webpush import actions, keys
from webpush.models import PushSubscription


class SubscriptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = PushSubscription
        fields = ["id", "endpoint", "user_agent", "created_at", "last_success_at"]


class KeyView(APIView):
    @extend_schema(
        responses=inline_serializer(
            "PushKey",
            {
                "available": serializers.BooleanField(),
                "public_key": serializers.CharField(allow_null=True),
            },
        )
    )
    def get(self, request):
        """The VAPID public key to pass to pushManager.subscribe() as applicationServerKey;
        `available` false (and no key) when the site has no VAPID keys."""
        public = keys.public_key()
        return Response({"available": public is not None, "public_key": public})


class SubscriptionList(APIView):
    @extend_schema(responses=SubscriptionSerializer(many=True))
    def get(self, request):
        """The user's subscribed browsers, newest first."""
        rows = PushSubscription.objects.filter(user=request.user)
        return Response(SubscriptionSerializer(rows, many=True).data)

    @extend_schema(
        request=inline_serializer(
            "PushSubscriptionJSON",
            {
                "endpoint": serializers.URLField(),
                "keys": inline_serializer(
                    "PushSubscriptionKeys",
                    {"p256dh": serializers.CharField(), "auth": serializers.CharField()},
                ),
            },
        ),
        responses=SubscriptionSerializer,
    )
    def post(self, request):
        """Subscribes this browser: the body is its PushSubscription.toJSON(). 201 when new,
        200 when it was stored already; 400 naming the wrong field; 503 when push is
        unavailable."""
        if not keys.configured():
            return Response(
                {
                    "errors": {
                        "non_field_errors": _("Push notifications are not set up on this site.")
                    }
                },
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        try:
            subscription, created = actions.subscribe(
                request.user, request.data, request.headers.get("User-Agent", "")
            )
        except actions.SubscriptionErrors as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(
            SubscriptionSerializer(subscription).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        request=inline_serializer("PushUnsubscribe", {"endpoint": serializers.URLField()}),
        responses={204: None},
    )
    def delete(self, request):
        """Unsubscribes the browser with this `endpoint`: 204, or 404 when it is not one of
        the user's."""
        endpoint = request.data.get("endpoint") if isinstance(request.data, dict) else None
        if not isinstance(endpoint, str) or not endpoint:
            return Response(
                {"errors": {"endpoint": _("Required: the subscription's endpoint.")}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        if not actions.unsubscribe(request.user, endpoint=endpoint):
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionDetail(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, subscription_id: int):
        """Unsubscribes one of the user's browsers by id; another user's answers 404."""
        if not actions.unsubscribe(request.user, subscription_id=subscription_id):
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SubscriptionRenewal(APIView):
    # The old subscription's endpoint and secret are the credential (actions.renew), not a
    # session: the service worker calls this without cookies, often with nobody logged in.
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=inline_serializer(
            "PushRenewal",
            {
                "old": inline_serializer(
                    "PushOldSubscription",
                    {"endpoint": serializers.URLField(), "auth": serializers.CharField()},
                ),
                "subscription": serializers.JSONField(),
            },
        ),
        responses={204: None},
    )
    def post(self, request):
        """The service worker's answer to pushsubscriptionchange: the browser's new
        subscription takes the old one's place. 204; 400 naming the wrong field; 404 when no
        subscription has that endpoint and auth secret. Nothing changes unless 204."""
        try:
            actions.renew(request.data)
        except actions.SubscriptionErrors as error:
            return Response({"errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        except actions.UnknownSubscription:
            return Response(status=status.HTTP_404_NOT_FOUND)
        return Response(status=status.HTTP_204_NO_CONTENT)
