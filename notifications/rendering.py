"""Renders a message for one recipient: in their language and timezone, from the type's
templates or an admin's override for that language."""

from __future__ import annotations

import functools
import re
import zoneinfo
from dataclasses import dataclass

import nh3
from django.conf import settings
from django.template import Context, Engine
from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from notifications import catalogue
from notifications.sending import decode_context

_engine = Engine(builtins=["django.templatetags.i18n"], libraries={}, autoescape=True)


@functools.lru_cache(maxsize=1024)
def compile_template(source: str):
    """The compiled template of a subject or body (cached: the same sources recur)."""
    return _engine.from_string(source)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


# What urlize can make a link of: a scheme, www., an address, or a name in one of its TLDs.
_LINKABLE = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)


def text_to_html(text: str) -> str:
    """Plain text to safe HTML: escaped, links made clickable, paragraphs kept."""
    escaped = escape(text)
    if _LINKABLE.search(escaped):  # urlize costs about 1 ms on a forum post's text
        escaped = urlize(escaped, autoescape=False)
    return nh3.clean(linebreaks_filter(escaped))


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else "/" + url)


def _zone(name: str):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def sources(key: str, language: str, override=None, custom: dict | None = None):
    """The (subject, body, html) template sources render() uses; see its docstring."""
    custom = custom or {}
    if override:
        subject, body, html = override.subject, override.body, override.html
    else:
        message_type = catalogue.get(key)
        # The catalogue's texts are the msgids of their translations (locale/<lang>/).
        with translation.override(language):
            subject = translation.gettext(message_type.subject)
            body = translation.gettext(message_type.body)
            html = translation.gettext(message_type.html) if message_type.html else ""
    if custom.get("subject"):
        subject = custom["subject"]
    if custom.get("body"):
        body, html = custom["body"], ""
    return subject, body, html


# The stand-in for the recipient's name in a rendering shared by every recipient who reads an
# event in one language and timezone (emails, live pushes); plain letters, so escaping, urlize
# and nh3 leave them as they are. Each recipient's name replaces it.
NAME_MARK = "Nm7q2RecipientNameXk4"

_RECIPIENT = re.compile(r"recipient")
_PLAIN_RECIPIENT = re.compile(r"{{\s*recipient\s*}}|{%\s*if\s+recipient\s*%}")


def uses_recipient_plainly(*templates: str) -> bool:
    """Whether these templates use the recipient's name only as `{{ recipient }}` (or test it
    with `{% if recipient %}`): then a message rendered for one non-empty name is the message
    for any other with the name replaced. Any other mention (a filter, the word in the text)
    answers False, which only costs a whole rendering."""
    return all(
        len(_RECIPIENT.findall(t)) == len(_PLAIN_RECIPIENT.findall(t)) for t in templates if t
    )


def render(
    key: str,
    context: dict,
    *,
    language: str = "en",
    tz: str = "UTC",
    recipient_name: str = "",
    sender_name: str = "",
    url: str = "",
    override=None,
    custom: dict | None = None,
) -> Rendered:
    """Renders subject, text and HTML. `context` is the stored (JSON) context of the event.

    Sources, first found wins: `custom` (the event's own `subject`/`body`, e.g. a program's
    text; a custom body makes the HTML from the text), then `override` (an admin's
    MessageTemplate for this language), then the catalogue's default in this language. A custom
    `prefix` is put before the body whatever its source. Missing optional placeholders render
    empty; values are escaped in HTML, not in text.
    """
    custom = custom or {}
    values = {
        "recipient": recipient_name,
        "sender": sender_name,
        "url": absolute(url),
        "site_name": getattr(settings, "SITE_NAME", "Learning platform"),
        **decode_context(context),
    }
    with translation.override(language), timezone.override(_zone(tz)):
        subject_source, body_source, html_source = sources(key, language, override, custom)
        plain = Context(values, autoescape=False)
        subject = " ".join(compile_template(subject_source).render(plain).split())
        text = compile_template(body_source).render(plain).strip()
        if html_source:
            html = nh3.clean(compile_template(html_source).render(Context(values)))
        else:
            html = text_to_html(text)
        if custom.get("prefix"):
            prefix = compile_template(custom["prefix"]).render(plain).strip()
            if prefix:
                text = f"{prefix}\n\n{text}"
                html = text_to_html(prefix) + html
    return Rendered(subject=subject, text=text, html=mark_safe(html))
