"""The release feed: which version is the newest, compared with the version the site runs.

The feed (SITE_ADMIN_RELEASE_FEED_URL, http or https) answers JSON such as
{"version": "1.2.0", "url": "https://example.org/releases/1.2.0"}.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

PROJECT = "totara-messaging"
MAX_FEED_BYTES = 64 * 1024
_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")


class FeedError(ValueError):
    """The feed could not be read or does not say which version is the newest."""


@dataclass(frozen=True)
class Release:
    version: str
    url: str = ""


def parse_version(text: str) -> tuple[int, ...]:
    """Parses "1.2.0" to (1, 2): trailing zeros do not count, so 1.2 == 1.2.0. Raises ValueError."""
    match = _VERSION.fullmatch(str(text).strip())
    if not match:
        raise ValueError(f"{text!r} is not a version number like 1.2.0")
    parts = [int(p) for p in match.group(1).split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def current_version() -> str | None:
    """The version of the installed project, or of pyproject.toml in a checkout."""
    try:
        return importlib.metadata.version(PROJECT)
    except importlib.metadata.PackageNotFoundError:
        pass
    try:
        pyproject = Path(settings.BASE_DIR) / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return None


def fetch_release(url: str, timeout: float) -> Release:
    """Reads the feed; raises FeedError for anything but a JSON object with a valid version."""
    if not url.startswith(("http://", "https://")):
        raise FeedError(
            _("The release feed must be an http(s) address, not %(url)s.") % {"url": repr(url)}
        )
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(
            request, timeout=timeout
        ) as response:  # http(s) only, checked above
            body = response.read(MAX_FEED_BYTES + 1)
    except (OSError, ValueError) as error:  # URLError, HTTPError, timeouts, bad addresses
        raise FeedError(
            _("cannot read %(url)s: %(error)s") % {"url": url, "error": error}
        ) from error
    if len(body) > MAX_FEED_BYTES:
        raise FeedError(
            _("%(url)s answered more than %(max)s bytes.") % {"url": url, "max": MAX_FEED_BYTES}
        )
    try:
        feed = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedError(
            _("%(url)s did not answer JSON: %(error)s") % {"url": url, "error": error}
        ) from error
    if not isinstance(feed, dict) or not isinstance(feed.get("version"), str):
        raise FeedError(_("%(url)s does not say which version is the newest.") % {"url": url})
    try:
        parse_version(feed["version"])
    except ValueError as error:
        raise FeedError(str(error)) from error
    link = feed.get("url")
    return Release(feed["version"].strip(), link if isinstance(link, str) else "")
