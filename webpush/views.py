from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET


@require_GET
def service_worker(request):
    """The service worker, served from the site's root so it may control every page (a
    worker's scope is at most its own path, unless this header widens it). Browsers check it
    for updates; no-cache makes them see a new version at once."""
    response = HttpResponse(
        render_to_string("webpush/sw.js"), content_type="application/javascript"
    )
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response
