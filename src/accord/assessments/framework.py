"""Assessment frameworks: load and validate framework YAML into frozen dataclasses.

A framework is data: factors (enablers, barriers, principles), each with statements ("items")
that a respondent rates on an agreement scale, optionally grouped (the three Cs).

Pure module: imports no Django; from the kernel only its pure modules (problems, YAML checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, NoReturn

import yaml

from accord.core import safe_yaml
from accord.core.problems import Problem, Problems
from accord.core.yaml_checks import YamlChecker

__all__ = [
    "FACTOR_KINDS",
    "RESERVED_COLUMNS",
    "SHIPPED_DIR",
    "Factor",
    "Framework",
    "FrameworkError",
    "Group",
    "Item",
    "Scale",
    "load_framework",
    "load_shipped_framework",
    "parse_framework",
    "shipped_framework_files",
    "shipped_framework_ids",
    "shipped_frameworks",
]

FACTOR_KINDS: tuple[str, ...] = ("enabler", "barrier", "principle")
"""The kinds of factor. A barrier's answers are reversed when scored."""

RESERVED_COLUMNS: tuple[str, ...] = ("respondent", "organisation", "level")
"""Column names of a responses file that an item id may not take."""

SHIPPED_DIR = Path(__file__).resolve().parent / "frameworks"
"""Where the frameworks shipped with Accord live."""

_TOP_REQUIRED = ("id", "version", "title", "scale", "groups", "factors")
_SCALE_REQUIRED = ("min", "max", "labels")
_GROUP_REQUIRED = ("id", "title")
_FACTOR_REQUIRED = ("id", "kind", "title", "items")
_FACTOR_OPTIONAL = ("group",)
_ITEM_REQUIRED = ("id", "text")
_ITEM_OPTIONAL = ("reverse",)
_TOP_OPTIONAL = ("grouping_note",)


class FrameworkError(Problems):
    """A framework failed validation: the kernel's :class:`Problems`, every problem listed at
    once (``problems``, alias ``errors``), each reading ``source: path: reason``."""


@dataclass(frozen=True)
class Scale:
    """The agreement scale: integers from ``min`` to ``max``, one label for each."""

    min: int
    max: int
    labels: tuple[str, ...]

    @property
    def points(self) -> int:
        """How many points the scale has."""
        return self.max - self.min + 1

    def reverse(self, value: float) -> float:
        """The reversed answer: ``min + max - value``."""
        return self.min + self.max - value


@dataclass(frozen=True)
class Item:
    """One statement that a respondent rates.

    ``reverse`` marks a statement worded against its factor (in an enabler or principle,
    agreeing is bad news; in a barrier, good news): its answers are reversed once more when
    scored, so that agreeing with opposites shows as agreement bias, not as a high score.
    """

    id: str
    text: str
    reverse: bool = False


@dataclass(frozen=True)
class Group:
    """A group of factors (for example one of the three Cs)."""

    id: str
    title: str


@dataclass(frozen=True)
class Factor:
    """An enabler, barrier or principle with its statements."""

    id: str
    kind: str
    title: str
    items: tuple[Item, ...]
    group: str | None = None

    @property
    def reversed(self) -> bool:
        """True if answers to this factor's statements are reversed when scored."""
        return self.kind == "barrier"

    def scores_reversed(self, item: Item) -> bool:
        """True if this statement's answers are reversed when scored: a barrier's statements
        are, and a statement marked ``reverse`` is reversed once more."""
        return self.reversed != item.reverse


@dataclass(frozen=True)
class Framework:
    """A validated, immutable assessment framework."""

    id: str
    version: int
    title: str
    scale: Scale
    groups: tuple[Group, ...]
    factors: tuple[Factor, ...]
    grouping_note: str | None = None
    """Whose grouping the groups are, for the pages to say (for example that Accord, not the
    briefing, assigns factors to the three Cs)."""

    @cached_property
    def items(self) -> tuple[Item, ...]:
        """Every item, factor by factor, in the order of the file."""
        return tuple(item for factor in self.factors for item in factor.items)

    @cached_property
    def item_ids(self) -> tuple[str, ...]:
        """Every item id, factor by factor, in the order of the file."""
        return tuple(item.id for item in self.items)

    @cached_property
    def factor_ids(self) -> tuple[str, ...]:
        return tuple(factor.id for factor in self.factors)

    @cached_property
    def group_ids(self) -> tuple[str, ...]:
        return tuple(group.id for group in self.groups)

    def factor(self, factor_id: str) -> Factor:
        """The factor with this id (KeyError if there is none)."""
        for factor in self.factors:
            if factor.id == factor_id:
                return factor
        raise KeyError(factor_id)

    def group(self, group_id: str) -> Group:
        """The group with this id (KeyError if there is none)."""
        for group in self.groups:
            if group.id == group_id:
                return group
        raise KeyError(group_id)

    def factors_in(self, group_id: str) -> tuple[Factor, ...]:
        """The factors that belong to a group, in framework order."""
        return tuple(factor for factor in self.factors if factor.group == group_id)

    def item_factor(self, item_id: str) -> Factor:
        """The factor that an item belongs to (KeyError if there is none)."""
        for factor in self.factors:
            if any(item.id == item_id for item in factor.items):
                return factor
        raise KeyError(item_id)

    def to_dict(self) -> dict[str, Any]:
        """Plain data in the YAML shape; ``parse_framework(fw.to_dict(), ...)`` rebuilds it."""
        factors: list[dict[str, Any]] = []
        for factor in self.factors:
            entry: dict[str, Any] = {"id": factor.id, "kind": factor.kind}
            if factor.group is not None:
                entry["group"] = factor.group
            entry["title"] = factor.title
            entry["items"] = [_item_dict(item) for item in factor.items]
            factors.append(entry)
        # Keys left at their defaults are left out, so that a version stored before they
        # existed reads back unchanged (a version in use is never changed).
        extra = {"grouping_note": self.grouping_note} if self.grouping_note else {}
        return {
            "id": self.id,
            "version": self.version,
            "title": self.title,
            **extra,
            "scale": {
                "min": self.scale.min,
                "max": self.scale.max,
                "labels": list(self.scale.labels),
            },
            "groups": [{"id": group.id, "title": group.title} for group in self.groups],
            "factors": factors,
        }


def _item_dict(item: Item) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": item.id, "text": item.text}
    if item.reverse:
        entry["reverse"] = True
    return entry


# --------------------------------------------------------------------------------------------
# Validation


class _Checker(YamlChecker):
    """The kernel's YAML checker, with the checks only a framework needs. Problems read
    ``source: path: reason``."""

    def __init__(self, source: str) -> None:
        super().__init__(source)

    def present(self, data: Mapping[str, Any], key: str) -> bool:
        """True when the key holds a value (a missing or null key is reported by ``keys``)."""
        return data.get(key) is not None

    def fail(self) -> NoReturn:
        raise FrameworkError(self.problems)


def _parse_scale(check: _Checker, value: object) -> Scale | None:
    data = check.mapping(value, "scale")
    if data is None:
        return None
    if not check.keys(data, "scale", _SCALE_REQUIRED):
        return None
    low = check.integer(data["min"], "scale.min")
    high = check.integer(data["max"], "scale.max")
    labels_raw = check.sequence(data["labels"], "scale.labels")
    labels: list[str] = []
    if labels_raw is not None:
        for index, label in enumerate(labels_raw):
            text = check.text(label, f"scale.labels[{index}]")
            if text is not None:
                labels.append(text)
    if low is None or high is None:
        return None
    if low >= high:
        check.problem("scale", f"min ({low}) must be less than max ({high})")
        return None
    if labels_raw is None:
        return None
    expected = high - low + 1
    if len(labels_raw) != expected:
        check.problem(
            "scale.labels",
            f"expected {expected} labels (one for each point from {low} to {high}), "
            f"found {len(labels_raw)}",
        )
        return None
    if len(labels) != len(labels_raw):
        return None
    return Scale(min=low, max=high, labels=tuple(labels))


def _parse_groups(check: _Checker, value: object) -> list[Group] | None:
    raw = check.sequence(value, "groups")
    if raw is None:
        return None
    groups: list[Group] = []
    seen: dict[str, int] = {}
    ok = True
    for index, entry in enumerate(raw):
        path = f"groups[{index}]"
        data = check.mapping(entry, path)
        if data is None or not check.keys(data, path, _GROUP_REQUIRED):
            ok = False
            continue
        group_id = check.ident(data["id"], f"{path}.id")
        title = check.text(data["title"], f"{path}.title")
        if group_id is not None and group_id in seen:
            check.problem(f"{path}.id", f"duplicate group id {group_id!r}")
            group_id = None
        if group_id is None or title is None:
            ok = False
            continue
        seen[group_id] = index
        groups.append(Group(id=group_id, title=title))
    return groups if ok else None


def _parse_items(
    check: _Checker, value: object, path: str, item_ids: set[str]
) -> list[Item] | None:
    raw = check.sequence(value, path)
    if raw is None:
        return None
    if not raw:
        check.problem(path, "a factor needs at least one item")
        return None
    items: list[Item] = []
    ok = True
    for index, entry in enumerate(raw):
        item_path = f"{path}[{index}]"
        data = check.mapping(entry, item_path)
        if data is None or not check.keys(data, item_path, _ITEM_REQUIRED, _ITEM_OPTIONAL):
            ok = False
            continue
        item_id = check.ident(data["id"], f"{item_path}.id")
        text = check.text(data["text"], f"{item_path}.text")
        reverse: bool | None = False
        if "reverse" in data:
            reverse = check.boolean(data["reverse"], f"{item_path}.reverse")
        if item_id is not None:
            if item_id in item_ids:
                check.problem(f"{item_path}.id", f"duplicate item id {item_id!r}")
                item_id = None
            elif item_id.lower() in RESERVED_COLUMNS:
                check.problem(
                    f"{item_path}.id",
                    f"item id {item_id!r} is reserved (it names a column of a responses file)",
                )
                item_id = None
            else:
                item_ids.add(item_id)
        if item_id is None or text is None or reverse is None:
            ok = False
            continue
        items.append(Item(id=item_id, text=text, reverse=reverse))
    return items if ok else None


def _parse_factors(
    check: _Checker, value: object, group_ids: set[str] | None
) -> list[Factor] | None:
    raw = check.sequence(value, "factors")
    if raw is None:
        return None
    if not raw:
        check.problem("factors", "a framework needs at least one factor")
        return None
    factors: list[Factor] = []
    factor_ids: set[str] = set()
    item_ids: set[str] = set()
    ok = True
    for index, entry in enumerate(raw):
        path = f"factors[{index}]"
        data = check.mapping(entry, path)
        if data is None:
            ok = False
            continue
        has_keys = check.keys(data, path, _FACTOR_REQUIRED, _FACTOR_OPTIONAL)
        factor_id = check.ident(data["id"], f"{path}.id") if check.present(data, "id") else None
        if factor_id is not None:
            if factor_id in factor_ids:
                check.problem(f"{path}.id", f"duplicate factor id {factor_id!r}")
                factor_id = None
            else:
                factor_ids.add(factor_id)
        kind: str | None = None
        if check.present(data, "kind"):
            kind = check.choice(data["kind"], f"{path}.kind", FACTOR_KINDS)
        title = check.text(data["title"], f"{path}.title") if check.present(data, "title") else None
        group: str | None = None
        group_ok = True
        if data.get("group") is not None:
            group = check.ident(data["group"], f"{path}.group")
            if group is None:
                group_ok = False
            elif group_ids is not None and group not in group_ids:
                declared = ", ".join(sorted(group_ids)) or "none"
                check.problem(
                    f"{path}.group",
                    f"group {group!r} is not declared in groups (declared: {declared})",
                )
                group_ok = False
        items = None
        if check.present(data, "items"):
            items = _parse_items(check, data["items"], f"{path}.items", item_ids)
        if (
            not has_keys
            or factor_id is None
            or kind is None
            or title is None
            or items is None
            or not group_ok
        ):
            ok = False
            continue
        factors.append(
            Factor(id=factor_id, kind=kind, title=title, items=tuple(items), group=group)
        )
    return factors if ok else None


def parse_framework(data: object, source: str) -> Framework:
    """Validate plain data (as loaded from YAML or JSON) into a ``Framework``.

    ``source`` names where the data came from in error messages (for example a file name).
    Raises ``FrameworkError`` listing every problem found.
    """
    check = _Checker(source)
    top = check.mapping(data, "")
    if top is None:
        check.fail()
    check.keys(top, "", _TOP_REQUIRED, _TOP_OPTIONAL)

    def given(key: str) -> bool:
        return check.present(top, key)

    framework_id = check.ident(top["id"], "id") if given("id") else None
    version = check.integer(top["version"], "version", minimum=1) if given("version") else None
    title = check.text(top["title"], "title") if given("title") else None
    note = check.text(top.get("grouping_note"), "grouping_note", required=False)
    scale = _parse_scale(check, top["scale"]) if given("scale") else None
    groups = _parse_groups(check, top["groups"]) if given("groups") else None
    # Check factors' groups against the declared groups only if the groups parsed cleanly,
    # so that one mistake in a group is not reported again for every factor that uses it.
    group_ids = {group.id for group in groups} if groups is not None else None
    factors = _parse_factors(check, top["factors"], group_ids) if given("factors") else None

    if (
        check.problems
        or framework_id is None
        or version is None
        or title is None
        or scale is None
        or groups is None
        or factors is None
    ):
        if not check.problems:
            check.problem("", "invalid framework")
        check.fail()
    return Framework(
        id=framework_id,
        version=version,
        title=title,
        scale=scale,
        groups=tuple(groups),
        factors=tuple(factors),
        grouping_note=note,
    )


def load_framework(path: str | Path) -> Framework:
    """Read and validate a framework YAML file. Raises ``FrameworkError`` naming the file."""
    path = Path(path)
    source = path.name
    try:
        data = safe_yaml.load(safe_yaml.read_file(path))
    except safe_yaml.YamlRefused as exc:
        raise FrameworkError([Problem(str(exc), source=source, refused=True)]) from exc
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise FrameworkError([Problem(f"cannot read the file: {reason}", source=source)]) from exc
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}: "
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrameworkError([Problem(f"{where}not valid YAML: {problem}", source=source)]) from exc
    return parse_framework(data, source)


def shipped_framework_files() -> list[Path]:
    """The framework files shipped with Accord: every version of each, one file a version
    (``collaboration-factors.yaml`` is version 1, ``collaboration-factors.v2.yaml`` version 2)."""
    return sorted(SHIPPED_DIR.glob("*.yaml"))


@cache
def shipped_frameworks() -> tuple[Framework, ...]:
    """Every version of every shipped framework, by id and then version."""
    loaded = [load_framework(path) for path in shipped_framework_files()]
    return tuple(sorted(loaded, key=lambda fw: (fw.id, fw.version)))


def shipped_framework_ids() -> list[str]:
    """The ids of the frameworks shipped with Accord."""
    return sorted({fw.id for fw in shipped_frameworks()})


def load_shipped_framework(framework_id: str, version: int | None = None) -> Framework:
    """A framework shipped with Accord by its id: its latest version, or the one asked for
    (``KeyError`` if there is none)."""
    versions = [fw for fw in shipped_frameworks() if fw.id == framework_id]
    if version is not None:
        versions = [fw for fw in versions if fw.version == version]
    if not versions:
        raise KeyError(framework_id if version is None else f"{framework_id} v{version}")
    return versions[-1]
