"""Accept and decline on the certification extension request task."""

from alerts.handlers import task_action
from features.certifications.actions import follow_extension
from features.programs.handlers import accept_extension, decline_extension


@task_action("certifications.extension_request", "accept")
def accept(event, actor, comment):
    extension = accept_extension(event, actor, comment)
    follow_extension(extension.assignment)


task_action("certifications.extension_request", "decline")(decline_extension)
