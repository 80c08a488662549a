from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

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


EXPIRED = _(
    "This page has expired: you have logged in or out since it was opened. "
    "Nothing was changed. Reload the page and send it again."
)


def csrf_failure(request, reason=""):
    """A form sent from a page that has expired, told plainly (settings.CSRF_FAILURE_VIEW).

    It happens to people, not only to attackers: a tab left open across a logout, or a login
    form sent after logging in in another tab. Nothing was changed; the page says so and
    offers the way back.
    """
    if request.path == reverse("login") and request.user.is_authenticated:
        # Logged in already (in another tab): where the login would have led.
        return redirect("dashboard")
    if request.htmx:
        # htmx shows this text where the form shows its errors.
        return HttpResponse(str(EXPIRED), status=403, content_type="text/plain; charset=utf-8")
    back = request.headers.get("Referer", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = ""
    return render(request, "403_csrf.html", {"message": EXPIRED, "back": back}, status=403)
