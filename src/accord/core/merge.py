"""Crossing edits, merged: what one person changed since they opened a record, laid over what
someone else saved meanwhile. Pure (no Django): the edit pages' glue (core/editing.py) turns
forms into the plain values compared here.

Three versions of each field are compared: as the person opened it, as they sent it ("mine")
and as it is now ("theirs"). A field only one of them changed takes that change; a field both
changed to the same value is no conflict; a field both changed differently is a conflict that
the person must settle. A field neither touched keeps the record's current value, so saving
again never puts back a value the person did not touch.

Rows (an appraisal's cost and benefit lines) are matched first: the person's rows by where
they came from (the row they opened), the current rows by aligning them with the opened ones
(``align``), so that a line someone else added, removed or edited is recognised as such. A row
one side removed and the other changed is kept and flagged: keep it or remove it is the
person's choice.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

Side = Literal["mine", "theirs"]
MINE: Final = "mine"
THEIRS: Final = "theirs"


class _Missing:
    """A field a version does not have (a row that did not exist, a page that did not say)."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Final = _Missing()

#: How alike two rows must be (the share of their fields that agree) to be taken for one row
#: edited rather than one removed and another added.
SAME_ROW: Final = 0.5


@dataclass(frozen=True)
class FieldMerge:
    """One field's three versions and what the merge makes of them."""

    name: str
    opened: Any
    mine: Any
    theirs: Any

    @property
    def mine_changed(self) -> bool:
        return bool(self.mine != self.opened)

    @property
    def theirs_changed(self) -> bool:
        return bool(self.theirs != self.opened)

    @property
    def conflict(self) -> bool:
        """Both changed it, to different values: the person must choose."""
        return self.mine_changed and self.theirs_changed and bool(self.mine != self.theirs)

    @property
    def take(self) -> Side:
        """Whose value the merged record holds until the person chooses: their own change if
        they made one (a conflict shows theirs beside it), otherwise the current one."""
        return MINE if self.mine_changed else THEIRS

    @property
    def value(self) -> Any:
        return self.mine if self.take == MINE else self.theirs

    def resolve(self, choice: Side) -> Any:
        """The value once the person has chosen."""
        return self.mine if choice == MINE else self.theirs


def _names(*versions: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for version in versions:
        for name in version:
            seen.setdefault(name, None)
    return list(seen)


def merge_fields(
    opened: Mapping[str, Any] | None,
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    names: Iterable[str] | None = None,
) -> dict[str, FieldMerge]:
    """Each field merged, in the order of ``names`` (by default mine's, then any others).

    ``opened`` None means the version the person opened is not known (a page from before
    merging, or one whose record of it was refused): every field they sent that differs from
    the current record is then a conflict to settle, so that nothing is silently put back and
    nothing of theirs silently lost.
    """
    base: Mapping[str, Any] = opened if opened is not None else {}
    order = list(names) if names is not None else _names(mine, theirs, base)
    return {
        name: FieldMerge(
            name=name,
            opened=base.get(name, MISSING),
            mine=mine.get(name, MISSING),
            theirs=theirs.get(name, MISSING),
        )
        for name in order
    }


def conflicts(fields: Mapping[str, FieldMerge]) -> list[str]:
    return [name for name, merged in fields.items() if merged.conflict]


# Rows --------------------------------------------------------------------------------------


def _fingerprint(row: Mapping[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=repr)


def similarity(a: Mapping[str, Any], b: Mapping[str, Any]) -> float:
    """The share of fields on which two rows agree, from 0 to 1."""
    names = _names(a, b)
    if not names:
        return 1.0
    same = sum(1 for name in names if a.get(name, MISSING) == b.get(name, MISSING))
    return same / len(names)


def align(
    opened: Sequence[Mapping[str, Any]], theirs: Sequence[Mapping[str, Any]]
) -> dict[int, int]:
    """Which current row each opened row became: {opened index: current index}. Rows left out
    were removed (opened) or added (current). Unchanged rows match exactly; among rows that
    changed, each is paired in order with the next row alike enough (``SAME_ROW``)."""
    matcher = difflib.SequenceMatcher(
        None, [_fingerprint(r) for r in opened], [_fingerprint(r) for r in theirs], autojunk=False
    )
    pairs: dict[int, int] = {}
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.update({i1 + k: j1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            start = j1
            for i in range(i1, i2):
                for j in range(start, j2):
                    if similarity(opened[i], theirs[j]) >= SAME_ROW:
                        pairs[i] = j
                        start = j + 1
                        break
    return pairs


@dataclass(frozen=True)
class RowMerge:
    """One row of the merged list: where it came from on each side and its fields merged.

    ``removed_by`` names the side that removed a row the other changed: the row is kept (with
    the other's values) until the person chooses to keep or remove it.
    """

    opened: int | None
    mine: int | None
    theirs: int | None
    fields: dict[str, FieldMerge] = field(default_factory=dict)
    removed_by: Side | None = None

    @property
    def conflict(self) -> bool:
        return self.removed_by is not None or any(f.conflict for f in self.fields.values())

    @property
    def added_by(self) -> Side | None:
        if self.opened is not None:
            return None
        return MINE if self.mine is not None else THEIRS

    def values(self) -> dict[str, Any]:
        return {name: merged.value for name, merged in self.fields.items()}


def merge_rows(
    opened: Sequence[Mapping[str, Any]] | None,
    mine: Sequence[tuple[int | None, Mapping[str, Any]]],
    theirs: Sequence[Mapping[str, Any]],
) -> list[RowMerge]:
    """The rows merged, in the current order, with those only the person added at the end.

    ``mine`` is each row the person sent with the index of the opened row it came from (None
    for a row they added). ``opened`` None (not known) pairs the person's rows with the current
    rows by index and makes every difference a conflict.
    """
    if opened is None:
        base: Sequence[Mapping[str, Any]] = [{} for _ in theirs]
        theirs_of = {i: i for i in range(len(theirs))}
    else:
        base = opened
        theirs_of = align(opened, theirs)
    opened_of = {j: i for i, j in theirs_of.items()}
    mine_of: dict[int, int] = {}
    added: list[int] = []
    for sent, (origin, _) in enumerate(mine):
        if origin is not None and 0 <= origin < len(base) and origin not in mine_of:
            mine_of[origin] = sent
        else:
            added.append(sent)

    placed: list[tuple[float, RowMerge]] = []
    for j, now in enumerate(theirs):
        i = opened_of.get(j)
        if i is None:
            placed.append((j, RowMerge(None, None, j, merge_fields({}, {}, now))))
            continue
        k = mine_of.get(i)
        if k is None:
            if opened is not None and now == base[i]:
                continue  # removed by the person, untouched by anyone else
            merged = merge_fields(base[i], base[i], now)
            placed.append((j, RowMerge(i, None, j, merged, removed_by=MINE)))
            continue
        placed.append((j, RowMerge(i, k, j, merge_fields(base[i], mine[k][1], now))))
    for i in range(len(base)):
        if i in theirs_of:
            continue
        k = mine_of.get(i)
        if k is None or mine[k][1] == base[i]:
            continue  # removed by both, or removed by them and untouched by the person
        # Kept just after the current row that the opened row before it became.
        before = [theirs_of[o] for o in theirs_of if o < i]
        position = (max(before) if before else -1) + 0.5
        merged = merge_fields(base[i], mine[k][1], base[i])
        placed.append((position, RowMerge(i, k, None, merged, removed_by=THEIRS)))
    for n, sent in enumerate(added):
        new = merge_fields({}, mine[sent][1], {})
        placed.append((len(theirs) + n, RowMerge(None, sent, None, new)))
    placed.sort(key=lambda item: item[0])
    return [row for _, row in placed]
