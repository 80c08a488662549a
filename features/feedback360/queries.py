"""Reads of 360 feedback for pages, each in a constant number of queries."""

from django.db.models import Count, Q

from features.feedback360.models import FeedbackRequest, Responder


def requests_of(user):
    """Requests the user made or that are about them, with their responder counts. One query."""
    return (
        FeedbackRequest.objects.filter(Q(requested_by=user) | Q(learner=user))
        .select_related("learner", "requested_by")
        .annotate(
            asked=Count("responders"),
            answered=Count("responders", filter=Q(responders__answered_at__isnull=False)),
        )
    )


def asked_of(user):
    """The requests the user is asked to answer, newest first. One query."""
    return (
        Responder.objects.filter(user=user)
        .select_related("request", "request__learner", "request__requested_by")
        .order_by("-request__created_at", "-id")
    )


def request_for(user, request_id: int) -> FeedbackRequest:
    """A request its requester or its learner may see, with its responders; raises
    FeedbackRequest.DoesNotExist for anyone else."""
    request = (
        FeedbackRequest.objects.filter(Q(requested_by=user) | Q(learner=user))
        .select_related("learner", "requested_by")
        .get(pk=request_id)
    )
    request.responder_list = list(request.responders.select_related("user"))
    return request
