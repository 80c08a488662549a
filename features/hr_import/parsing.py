"""Reading an HR Import CSV: the columns, each row's values, and what is wrong with them.

Pure functions (no database): the import action decides, with what exists, what to create.
Line numbers are the file's own (the header is line 1), so an admin can find each issue.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import validate_timezone

COLUMNS = ("username", "email", "full_name", "language", "timezone", "manager_username")
REQUIRED_COLUMNS = ("username",)
ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Issue:
    line: int
    field: str
    level: str
    message: str

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "field": self.field,
            "level": self.level,
            "message": self.message,
        }


@dataclass
class Row:
    line: int
    values: dict[str, str]
    issues: list[Issue] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return any(i.level == ERROR for i in self.issues)

    def error(self, column: str, message: str) -> None:
        self.issues.append(Issue(self.line, column, ERROR, message))

    def warn(self, column: str, message: str) -> None:
        self.issues.append(Issue(self.line, column, WARNING, message))


class UnreadableFile(ValueError):
    """The file cannot be imported at all (not text, no header, no username column)."""


def decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            _("The file is not UTF-8 text (byte %(byte)s cannot be read).") % {"byte": error.start}
        ) from None


_username = UnicodeUsernameValidator()
_languages = {code for code, _name in settings.LANGUAGES}


def _check(row: Row) -> None:
    """Adds the row's own errors: each about one field, the field named."""
    values = row.values
    username = values.get("username", "")
    if not username:
        row.error("username", _("is required."))
    elif len(username) > 150:
        row.error("username", _("is longer than 150 characters."))
    else:
        try:
            _username(username)
        except ValidationError:
            row.error(
                "username",
                _("%(username)s may contain only letters, digits and @.+-_.")
                % {"username": repr(username)},
            )
    email = values.get("email", "")
    if email:
        try:
            validate_email(email)
            if len(email) > 254:
                raise ValidationError("too long")
        except ValidationError:
            row.error(
                "email", _("%(email)s is not a valid email address.") % {"email": repr(email)}
            )
    if len(values.get("full_name", "")) > 255:
        row.error("full_name", _("is longer than 255 characters."))
    language = values.get("language", "")
    if language and language not in _languages:
        row.error(
            "language",
            _("%(language)s is not a site language (%(languages)s).")
            % {"language": repr(language), "languages": ", ".join(sorted(_languages))},
        )
    tz = values.get("timezone", "")
    if tz:
        try:
            validate_timezone(tz)
        except ValidationError:
            row.error(
                "timezone",
                _("%(tz)s is not a known time zone (e.g. Europe/London).") % {"tz": repr(tz)},
            )
    if values.get("manager_username") and values.get("manager_username") == username:
        row.warn(
            "manager_username", _("a user cannot be their own manager; the manager is unchanged.")
        )


def read(content: bytes | str) -> tuple[list[Row], list[Issue]]:
    """Returns (rows, file-level issues). Raises UnreadableFile if nothing can be imported.

    Each row holds the known columns' values, stripped (a missing value is ""), and its own
    errors and warnings. A username seen on an earlier row rejects the later row.
    """
    text = decode(content)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableFile(_("The file is empty: it needs a header line.")) from None
    except csv.Error as error:
        raise UnreadableFile(_("line 1: %(error)s") % {"error": error}) from None
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UnreadableFile(
            _("line 1: the header has no %(missing)s column (columns: %(columns)s).")
            % {"missing": ", ".join(missing), "columns": ", ".join(COLUMNS)}
        )
    file_issues = []
    for name in names:
        if name not in COLUMNS:
            file_issues.append(Issue(1, name, WARNING, _("unknown column, ignored.")))
    seen_names = set()
    for name in names:
        if name in seen_names and name in COLUMNS:
            file_issues.append(
                Issue(1, name, WARNING, _("column repeated; the first one is used."))
            )
        seen_names.add(name)
    positions = {}
    for index, name in enumerate(names):
        positions.setdefault(name, index)

    rows: list[Row] = []
    first_line: dict[str, int] = {}
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            file_issues.append(
                Issue(
                    reader.line_num, "", ERROR, _("cannot be read: %(error)s.") % {"error": error}
                )
            )
            break
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        values = {
            c: (cells[positions[c]].strip() if positions[c] < len(cells) else "")
            for c in COLUMNS
            if c in positions
        }
        row = Row(line, values)
        if len(cells) > len(names):
            row.warn(
                "",
                _("has %(values)s values for %(columns)s columns; extras ignored.")
                % {"values": len(cells), "columns": len(names)},
            )
        _check(row)
        username = values.get("username", "")
        if username and not row.rejected:
            if username in first_line:
                row.error(
                    "username",
                    _("%(username)s appears again (first on line %(line)s); this row is ignored.")
                    % {"username": repr(username), "line": first_line[username]},
                )
            else:
                first_line[username] = line
        rows.append(row)
    return rows, file_issues
