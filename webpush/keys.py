"""The VAPID key pair that signs every push (RFC 8292), and the subject push services see.

Keys come from the settings (VAPID_PRIVATE_KEY, optionally VAPID_PUBLIC_KEY to check against,
VAPID_SUBJECT). In development (DEBUG) with no key set, one pair is generated once into
VAR_DIR/vapid_private_key and kept, so a laptop and the tests just work; it is never committed
(var/ is ignored). In production with no key set, push is unavailable: nothing is sent and the
page says so (see checks.py for the start-up warning).
"""

from __future__ import annotations

import base64
import os
from email.utils import parseaddr
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

KEY_FILE = "vapid_private_key"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate_pair() -> tuple[str, str]:
    """A new (private, public) pair as raw base64url: the 32-byte private number and the
    65-byte uncompressed public point (the browser's applicationServerKey)."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return b64url(private), public_key_of(key)


def public_key_of(key: ec.EllipticCurvePrivateKey) -> str:
    return b64url(
        key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def _development_key() -> str:
    """The key kept under var/, made on first use (exclusive create, so two processes that
    start together end with the same key)."""
    path = Path(settings.VAR_DIR) / KEY_FILE
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    private, _ = generate_pair()
    with os.fdopen(fd, "w") as handle:
        handle.write(private + "\n")
    return private


def _private_setting() -> str:
    return (settings.VAPID_PRIVATE_KEY or "").strip()


def configured() -> bool:
    """Whether push can be signed: a key is set, or one can be made (development). No I/O."""
    return bool(_private_setting()) or settings.DEBUG


_loaded: dict[str, Vapid] = {}


def vapid() -> Vapid | None:
    """The signing key, or None when push is unavailable (production without a key). Raises
    ImproperlyConfigured for a key that is not one, or a VAPID_PUBLIC_KEY that does not match."""
    text = _private_setting()
    if not text:
        if not settings.DEBUG:
            return None
        text = _development_key()
    if text not in _loaded:
        try:
            if text.startswith("-----BEGIN"):
                key = Vapid.from_pem(text.encode())
            else:
                key = Vapid.from_string(text)
        except Exception as error:
            raise ImproperlyConfigured(
                f"VAPID_PRIVATE_KEY is not a P-256 private key ({error}); "
                "`python manage.py vapid_keys` makes a pair."
            ) from None
        given = (settings.VAPID_PUBLIC_KEY or "").strip()
        if given and given.rstrip("=") != public_key_of(key.private_key):
            raise ImproperlyConfigured(
                "VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY."
            )
        _loaded[text] = key
    return _loaded[text]


def public_key() -> str | None:
    """The applicationServerKey browsers subscribe with (base64url), or None: unavailable."""
    key = vapid()
    return public_key_of(key.private_key) if key else None


def subject() -> str:
    """Who the push services may contact about our pushes: VAPID_SUBJECT (a mailto: or https:
    URL), else the sender address of our email."""
    if settings.VAPID_SUBJECT:
        return settings.VAPID_SUBJECT
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return f"mailto:{address or 'noreply@example.com'}"
