"""The notification core. Features call `notifications.send(key, recipients, context=...)`."""


def send(key, recipients, **kwargs):
    """See notifications.sending.send (imported lazily: this package loads before the models)."""
    from notifications.sending import send as _send

    return _send(key, recipients, **kwargs)
