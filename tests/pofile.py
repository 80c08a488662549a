"""A small reader of gettext .po files, enough for the translation tests (no polib here).

Reads what `makemessages` writes: comments, flags (`#, fuzzy`), obsolete entries (`#~`),
msgctxt, msgid, msgid_plural and msgstr / msgstr[n], each possibly over several lines.
"""

import ast
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False
    locations: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str]:
        return (self.msgctxt, self.msgid)

    @property
    def fuzzy(self) -> bool:
        return "fuzzy" in self.flags

    @property
    def translated(self) -> bool:
        return bool(self.msgstr) and all(self.msgstr.values())

    def __str__(self) -> str:
        where = f" ({self.locations[0]})" if self.locations else ""
        context = f"[{self.msgctxt}] " if self.msgctxt else ""
        return f"{context}{self.msgid!r}{where}"


def read(path: Path) -> list[Entry]:
    """The entries of a .po file, the header (msgid "") left out."""
    entries: list[Entry] = []
    entry = Entry()
    current: str | None = None
    started = False

    def finish():
        nonlocal entry, started, current
        if started and entry.msgid:
            entries.append(entry)
        entry, started, current = Entry(), False, None

    for raw in Path(path).read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            line = line[2:].strip()
            if not line:
                continue
        elif line.startswith("#,"):
            if started and current is not None:
                finish()
            entry.flags |= {f.strip() for f in line[2:].split(",")}
            continue
        elif line.startswith("#:"):
            if started and current is not None:
                finish()
            entry.locations += line[2:].split()
            continue
        elif line.startswith("#"):
            continue
        keyword, _sep, rest = line.partition(" ")
        if line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            if keyword in ("msgctxt", "msgid") and current not in (None, "msgctxt"):
                finish()
            current, text = keyword, ast.literal_eval(rest)
            started = True
            if current.startswith("msgstr"):
                index = int(current[7:-1]) if current.startswith("msgstr[") else 0
                entry.msgstr[index] = ""
        if current == "msgctxt":
            entry.msgctxt = (entry.msgctxt or "") + text
        elif current == "msgid":
            entry.msgid += text
        elif current == "msgid_plural":
            entry.msgid_plural = (entry.msgid_plural or "") + text
        elif current and current.startswith("msgstr"):
            index = int(current[7:-1]) if current.startswith("msgstr[") else 0
            entry.msgstr[index] += text
    finish()
    return entries
