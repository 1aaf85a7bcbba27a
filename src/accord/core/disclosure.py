"""The disclosure threshold, read in one place (no Django here: the command-line scorer, which
runs without a database, reads it the same way as the settings do)."""

from __future__ import annotations

import os
from collections.abc import Mapping

VARIABLE = "ACCORD_DISCLOSURE_THRESHOLD"
DEFAULT = 5


class BadThreshold(ValueError):
    """The environment's threshold is not a whole number of at least 1."""


def disclosure_threshold(environ: Mapping[str, str] | None = None) -> int:
    """Groups smaller than this show no figures. 0 or a bad value is refused: suppressing
    nothing is never what an operator meant by it."""
    value = (os.environ if environ is None else environ).get(VARIABLE, "").strip()
    if not value:
        return DEFAULT
    try:
        number = int(value)
    except ValueError:
        raise BadThreshold(f"{VARIABLE} must be a whole number, not {value!r}") from None
    if number < 1:
        raise BadThreshold(f"{VARIABLE} must be at least 1, not {number}")
    return number
