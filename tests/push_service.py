"""A local push service for tests: the endpoint side of the Web Push protocol (RFC 8030).

It hands out subscriptions (a P-256 key pair and an auth secret made here, as a browser makes
them, and an endpoint on this server), accepts the application server's POST, checks it as a
real push service does (the VAPID JWT of RFC 8292: ES256 signature against the `k` key, `aud`
the endpoint's origin, `exp` in the future and at most 24 hours ahead, `sub` present; the
Content-Encoding and TTL headers), decrypts the body with the subscription's private key and
auth secret (RFC 8291, aes128gcm) as the browser would, and keeps the JSON payload. Each
endpoint answers 201 unless a test makes it answer something else (410, 500...).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    """One browser's subscription: what it would give the site, and what it keeps."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def as_json(self) -> dict:
        """As PushSubscription.toJSON() in a browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth_secret)},
        }


@dataclass
class Received:
    path: str
    payload: dict
    claims: dict
    headers: dict  # lower-case names


@dataclass
class PushService:
    url: str = ""
    devices: dict[str, Device] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    # path -> HTTP status to answer (201 when absent)
    answers: dict[str, int] = field(default_factory=dict)
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def new_device(self) -> Device:
        path = f"/push/{secrets.token_urlsafe(12)}"
        device = Device(
            endpoint=self.url + path,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth_secret=secrets.token_bytes(16),
        )
        self.devices[path] = device
        return device

    def answer(self, device: Device, status: int) -> None:
        self.answers[device.endpoint.removeprefix(self.url)] = status

    def payloads(self, device: Device | None = None) -> list[dict]:
        path = device.endpoint.removeprefix(self.url) if device else None
        return [r.payload for r in self.received if path is None or r.path == path]

    def wait_for(self, count: int, timeout: float = 10) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    # The checks a push service makes -----------------------------------------------------

    def check_vapid(self, authorization: str) -> dict:
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            raise ValueError(f"Authorization scheme {scheme!r}, not vapid")
        parts = dict(p.strip().split("=", 1) for p in params.split(","))
        token, key = parts["t"], parts["k"]
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(unb64url(header_b64))
        if header.get("alg") != "ES256":
            raise ValueError(f"JWT alg {header.get('alg')!r}")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        signature = unb64url(signature_b64)
        if len(signature) != 64:
            raise ValueError("the JWT signature is not 64 bytes (r || s)")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("the JWT signature does not verify against k") from None
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.url:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.url!r}")
        now = time.time()
        if not now < claims.get("exp", 0) <= now + 24 * 3600:
            raise ValueError(f"exp {claims.get('exp')!r} is not within the next 24 hours")
        if not claims.get("sub"):
            raise ValueError("no sub")
        claims["k"] = key
        return claims


def start_push_service() -> tuple[ThreadingHTTPServer, PushService]:
    service = PushService()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet in test output
            pass

        def _refuse(self, status: int, reason: str):
            service.refused.append((self.path, reason))
            self.send_response(status)
            self.send_header("Content-Length", str(len(reason)))
            self.end_headers()
            self.wfile.write(reason.encode())

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            device = service.devices.get(self.path)
            if device is None:
                return self._refuse(404, "no such subscription")
            try:
                claims = service.check_vapid(self.headers.get("Authorization", ""))
            except (ValueError, KeyError) as error:
                return self._refuse(403, f"VAPID: {error}")
            if self.headers.get("Content-Encoding") != "aes128gcm":
                return self._refuse(400, "Content-Encoding must be aes128gcm")
            if not (self.headers.get("TTL") or "").isdigit():
                return self._refuse(400, "TTL header missing")
            try:
                plain = http_ece.decrypt(
                    body,
                    private_key=device.private_key,
                    auth_secret=device.auth_secret,
                    version="aes128gcm",
                )
                payload = json.loads(plain)
            except Exception as error:
                return self._refuse(400, f"cannot decrypt: {error}")
            status = service.answers.get(self.path, 201)
            if status < 300:
                with service.arrived:
                    service.received.append(
                        Received(
                            self.path,
                            payload,
                            claims,
                            {k.lower(): v for k, v in self.headers.items()},
                        )
                    )
                    service.arrived.notify_all()
            self.send_response(status)
            self.send_header("Content-Length", "0")
            if status < 300:
                self.send_header("Location", self.path)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, service
