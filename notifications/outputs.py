"""The output interface. Each output (the web inbox, email) registers itself here.

`notifications` knows outputs only through this contract, so it never imports the apps that
implement them.
"""

from __future__ import annotations

from typing import Protocol


class Output(Protocol):
    name: str

    def deliver(
        self,
        event,
        recipients: list[tuple[int, str]],
        why: dict[int, str] | None = None,
        held: dict | None = None,
        muted: set[int] | None = None,
        digest: dict | None = None,
    ) -> int:
        """Writes this output's rows for `event` to these (user id, email) recipients, each row
        with why this output was chosen for its recipient (`why`, by user id: a code of
        notifications.preferences, shown on the "Why did I get this?" page). A recipient in
        `held` (user id -> a UTC datetime) is in their quiet hours: their row must not go out
        before that time (only outputs in preferences.HELD_OUTPUTS are given any).
        A recipient in `muted` muted what the event comes from and hid its alerts: the web
        output writes their row archived and pushes nothing (outputs in muting.MUTED_OUTPUTS
        are never given any). A recipient in `digest` (user id -> `daily` or `weekly`) gets
        the message in their next digest instead (only email is given any).

        An output that holds rows may also offer `retime_held(user_id, until, now)`: the
        user changed their quiet hours, so their held rows now wait until `until` (now: they go
        at once, scheduled after commit).

        Called inside send()'s transaction with one batch of recipients; must cost a constant
        number of queries per call and schedule any I/O (pushes, tasks) after commit. Returns
        the number of rows written.
        """


_outputs: dict[str, Output] = {}


def register(output: Output) -> None:
    _outputs[output.name] = output


def registered() -> dict[str, Output]:
    return dict(_outputs)
