from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

# The dashboard's blocks, in order; each app renders its own from the context it adds.
DASHBOARD_BLOCKS = [
    "alerts/block_alerts.html",
    "alerts/block_tasks.html",
    "instant/block_messages.html",
]


@login_required
def dashboard(request):
    return render(request, "dashboard.html", {"blocks": DASHBOARD_BLOCKS})


def health(request):
    """For load balancers: answers 200 when the database answers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
