"""Finding a thing by what a person typed: its code or its name, in any case, with "did you mean"
suggestions for a near miss. Pure (no Django): the import's rows, the forms' organisation fields
and the register's place filter match the same way.

An index holds each thing under several keys (an organisation under its code, name and short
name); a lookup ignores case and surrounding spaces, and a miss is answered with the closest
keys by `difflib`'s ratio, each suggestion named by its label ("Lincolnshire Fire and Rescue
(E31000025)") and given once however many of its keys were close.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

T = TypeVar("T")

#: How close a key must be to count as a near miss: difflib's default, which the import has
#: always used.
CUTOFF = 0.6


def normalise(text: str) -> str:
    """What a lookup compares: case folded, runs of spaces made one, ends trimmed."""
    return " ".join(text.split()).casefold()


class NameIndex(Generic[T]):
    """Things found by any of their keys (codes and names), ignoring case."""

    def __init__(
        self,
        things: Iterable[T],
        keys: Callable[[T], Iterable[str]],
        label: Callable[[T], str],
    ) -> None:
        self._label = label
        self._by_key: dict[str, T] = {}
        for thing in things:
            for key in keys(thing):
                if key and key.strip():
                    # The first thing to claim a key keeps it: codes are unique, and a short name
                    # two bodies share should find the one listed first, as the import did.
                    self._by_key.setdefault(normalise(key), thing)

    def __len__(self) -> int:
        return len(set(map(id, self._by_key.values())))

    def find(self, text: str) -> T | None:
        """The thing with this code or name, or None."""
        return self._by_key.get(normalise(text))

    def suggestions(self, text: str, limit: int = 3) -> list[T]:
        """The things whose keys come closest to `text`, best first, each once."""
        wanted = normalise(text)
        if not wanted:
            return []
        best: dict[int, tuple[float, int, T]] = {}
        for order, (key, thing) in enumerate(self._by_key.items()):
            score = closeness(wanted, key)
            if score < CUTOFF:
                continue
            seen = best.get(id(thing))
            if seen is None or score > seen[0]:
                best[id(thing)] = (score, order, thing)
        ranked = sorted(best.values(), key=lambda found: (-found[0], found[1]))
        return [thing for _, _, thing in ranked[:limit]]

    def did_you_mean(self, text: str, limit: int = 3) -> str:
        """The sentence " Did you mean A (X) or B (Y)?", or "" when nothing is close."""
        return did_you_mean([self._label(thing) for thing in self.suggestions(text, limit)])


_MINOR_WORDS = frozenset({"and", "of", "the", "&"})


def closeness(wanted: str, key: str) -> float:
    """How near what was typed is to a key, from 0 to 1: the better of difflib's ratio for
    the whole text and, word by word, how well each typed word matches some word of the key
    (a typed word that begins one, as "lincs" begins "lincolnshire", counts as a match). A key
    that holds the whole typed text counts as close."""
    whole = difflib.SequenceMatcher(None, wanted, key).ratio()
    if len(wanted) >= 4 and wanted in key:
        whole = max(whole, 0.9)
    typed = [word for word in wanted.split() if word not in _MINOR_WORDS]
    words = key.split()
    if not typed or not words:
        return whole
    total = 0.0
    for word in typed:
        total += max(_word_closeness(word, other) for other in words)
    return max(whole, total / len(typed))


def _word_closeness(typed: str, word: str) -> float:
    if word.startswith(typed):
        return 1.0
    shared = 0
    for a, b in zip(typed, word, strict=False):
        if a != b:
            break
        shared += 1
    if shared >= 3 and shared >= 0.8 * len(typed):
        return 0.85
    return difflib.SequenceMatcher(None, typed, word).ratio()


def did_you_mean(labels: list[str]) -> str:
    """The suggestion sentence for these labels, with a leading space; "" for none."""
    if not labels:
        return ""
    choices = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]
    return f" Did you mean {choices}?"


def not_found_message(what: str, text: str, suggestion: str) -> str:
    """'No organisation matches “Lincs fire”. Did you mean …?'"""
    return f"No {what} matches “{text.strip()}”.{suggestion}"
