"""The embedded email backend: each message to a file under var/mail/, and a line on the console."""

import sys

from django.core.mail.backends.filebased import EmailBackend as FileBackend


class FileAndConsoleBackend(FileBackend):
    def write_message(self, message):
        super().write_message(message)
        recipients = ", ".join(message.recipients())
        sys.stdout.write(f"[mail] to {recipients}: {message.subject} -> {self._fname}\n")
