"""Accept and decline on the extension request task (the Tasks block and the API)."""

from django.utils.translation import gettext as _

from alerts.handlers import TaskRefused, task_action
from features.programs import actions
from features.programs.models import ExtensionRequest


def extension_of(event) -> ExtensionRequest:
    extension = ExtensionRequest.objects.filter(pk=(event.data or {}).get("request_id")).first()
    if extension is None:
        raise TaskRefused(_("This extension request no longer exists."))
    return extension


def accept_extension(event, actor, comment):
    """Grants the request; returns it, its assignment's due date moved."""
    try:
        return actions.grant_extension(extension_of(event), actor, comment)
    except actions.ProgramError as error:
        raise TaskRefused(str(error)) from None


def decline_extension(event, actor, comment):
    try:
        return actions.decline_extension(extension_of(event), actor, comment)
    except actions.ProgramError as error:
        raise TaskRefused(str(error)) from None


task_action("programs.extension_request", "accept")(accept_extension)
task_action("programs.extension_request", "decline")(decline_extension)
