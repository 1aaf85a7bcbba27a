"""Plain checks on text that people type or upload, shared by forms, readers and writers.

Pure: no Django, so that the file readers and the command line use the same rules as the
web forms.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

#: Characters a person may type that are not printable: tab and newline (and the carriage
#: return a browser sends with each newline) are text; every other C0 control character, and
#: DEL, is not, and would break an Excel export or a terminal.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

IMPORT_MAX_MB_VARIABLE = "ACCORD_IMPORT_MAX_MB"
DEFAULT_IMPORT_MAX_MB = 10


def first_control_character(text: str) -> str | None:
    """The first character in `text` that a form refuses, or None."""
    found = CONTROL_CHARACTERS.search(text)
    return found.group() if found else None


def control_character_message(character: str) -> str:
    return (
        f"contains a control character ({describe_character(character)}); only tabs and new "
        "lines may be used besides printable text"
    )


def describe_character(character: str) -> str:
    if character == "\x00":
        return "a NUL byte, U+0000"
    return f"U+{ord(character):04X}"


def import_max_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The size limit of one uploaded or imported file, in bytes, read from the same variable
    as ``settings.IMPORT_MAX_MB`` so that pure readers without Django use the same limit.
    Callers with Django should pass ``core.uploads.import_max_bytes()`` instead."""
    value = (os.environ if environ is None else environ).get(IMPORT_MAX_MB_VARIABLE, "").strip()
    try:
        megabytes = int(value) if value else DEFAULT_IMPORT_MAX_MB
    except ValueError:
        megabytes = DEFAULT_IMPORT_MAX_MB
    return max(megabytes, 1) * 1024 * 1024


def too_large(size: int, limit: int) -> str:
    """The one wording for a file over the import limit, whichever reader refuses it."""
    return f"the file is {megabytes(size)}, larger than the import limit of {megabytes(limit)}"


def megabytes(size: int) -> str:
    """A size in bytes as a person reads it: 10 MB, 476.9 MB, 480 KB."""
    if size < 1024 * 1024:
        return f"{size / 1024:,.0f} KB"
    return f"{size / (1024 * 1024):,.1f}".removesuffix(".0") + " MB"
