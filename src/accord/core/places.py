"""Finding a place (a force area, a fire authority area, a district) by what a person typed: its
code or its name, in any case, "&" and "and" alike, with "did you mean" for a near miss. Pure
(no Django): the register's place filter (register/queries.py) and the forms' area fields
(core.widgets.AreasChoiceField) match the same way.

Places differ from organisations in one way that matters: a name may belong to more than one
place. "Lincolnshire" is a police force area and a fire and rescue authority area, each with its
own code, so a name finds every place of that name, and a near miss is answered by names, each
standing for all its places.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from .matching import CUTOFF, closeness, did_you_mean, normalise

T = TypeVar("T")


def spellings(text: str) -> set[str]:
    """The spellings a typed place name stands for: as typed (its spaces made single), and with
    "&" and "and" swapped. An ONS lookup writes "Devon & Cornwall", Accord's own list "Devon
    and Cornwall"."""
    typed = " ".join(text.split())
    return {typed, " ".join(typed.replace("&", " and ").split()), typed.replace(" and ", " & ")}


def _key(text: str) -> str:
    # What a lookup and a suggestion compare: case and spaces ignored, "&" read as "and".
    return normalise(text.replace("&", " and "))


class PlaceIndex(Generic[T]):
    """Places found by code or by name; a name finds every place that has it."""

    def __init__(
        self,
        places: Iterable[T],
        code: Callable[[T], str],
        name: Callable[[T], str],
        label: Callable[[T], str],
    ) -> None:
        self._name = name
        self._label = label
        self._by_key: dict[str, list[T]] = {}
        for place in places:
            for key in (code(place), name(place)):
                if key and key.strip():
                    found = self._by_key.setdefault(_key(key), [])
                    if all(place is not other for other in found):
                        found.append(place)

    def find(self, text: str) -> list[T]:
        """The places with this code or name (any spelling of it), or [] for none."""
        return list(self._by_key.get(_key(text), []))

    def suggestions(self, text: str, limit: int = 3) -> list[T]:
        """The places closest to what was typed, best first, each once, of at most `limit`
        names: a close name brings every place of that name, a close code its own place."""
        wanted = _key(text)
        if not wanted:
            return []
        scored = sorted(
            (
                (-score, order, places)
                for order, (key, places) in enumerate(self._by_key.items())
                if (score := closeness(wanted, key)) >= CUTOFF
            ),
            key=lambda found: (found[0], found[1]),
        )
        names: list[str] = []
        chosen: list[T] = []
        for _, _, places in scored:
            for place in places:
                name = self._name(place)
                if name not in names:
                    if len(names) == limit:
                        continue
                    names.append(name)
                if all(place is not other for other in chosen):
                    chosen.append(place)
        return chosen

    def suggested_names(self, text: str, limit: int = 3) -> list[str]:
        """The names of the places closest to what was typed, best first, each once: for the
        place filter's "No place called “Lincs”. Did you mean Lincolnshire?"."""
        names: list[str] = []
        for place in self.suggestions(text, limit):
            if self._name(place) not in names:
                names.append(self._name(place))
        return names

    def did_you_mean(self, text: str, limit: int = 3) -> str:
        """The suggestion "Did you mean A (X) or B (Y)?" for near places, or "" for none."""
        return did_you_mean([self._label(place) for place in self.suggestions(text, limit)])
