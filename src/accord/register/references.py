"""A collaboration's reference when nobody gives one: the first words of its title and a number,
"JOINT-AMBULANCE-CONVEYANCE-1", rather than initials nobody can read ("JACP"). Pure.

References are letters, digits and hyphens, at most 32 characters, in capitals; one made here
is never changed afterwards (pages, exports and links name records by it).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

#: How long the words may run, leaving room for a hyphen and four digits within 32 characters.
WORDS_LENGTH = 26
#: How many of the title's words a reference takes.
WORDS = 3
#: Words that say nothing about a collaboration, left out unless the title has no others.
_MINOR = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "in",
        "on",
        "to",
        "with",
        "by",
        "at",
        "from",
        "into",
        "its",
        "our",
        "their",
        "&",
        "project",
        "pilot",
    ]
)
FALLBACK = "COLLABORATION"


def _ascii_words(title: str) -> list[str]:
    # "Llanelli Fire Station – Ambulance Hub" reads as LLANELLI-FIRE-STATION; accents dropped,
    # so that every reference is plain letters and digits.
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    spaced = "".join(c if c.isalnum() else " " for c in plain.replace("'", ""))
    return spaced.split()


def reference_words(title: str) -> str:
    """The title's first telling words, in capitals, joined by hyphens: "JOINT-AMBULANCE-
    CONVEYANCE" for "Joint Ambulance Conveyance Project"."""
    words = _ascii_words(title)
    telling = [w for w in words if w.casefold() not in _MINOR] or words
    chosen: list[str] = []
    for word in telling[:WORDS]:
        candidate = "-".join([*chosen, word])
        if len(candidate) > WORDS_LENGTH:
            if not chosen:
                chosen.append(word[:WORDS_LENGTH])
            break
        chosen.append(word)
    return "-".join(chosen).upper() or FALLBACK


def readable_reference(title: str, taken: Callable[[str], bool]) -> str:
    """The first of "WORDS-1", "WORDS-2", … that `taken` says is free."""
    base = reference_words(title)
    number = 1
    while taken(f"{base}-{number}"):
        number += 1
    return f"{base}-{number}"
