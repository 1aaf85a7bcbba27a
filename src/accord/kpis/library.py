"""The indicator library: a YAML file of candidate indicators, validated on load.

Pure: no Django. The shipped library is ``data/indicators.yaml``; an administrator may upload
another in the same form. Every problem is listed at once, each named by the file, the line
and the path of the key it is about::

    indicators.yaml, line 42: indicators[3].unit: must be one of seconds, minutes, ...

The same checks judge an indicator added in the pages (:func:`check_indicator`), so that the
library's rules are written once. docs/kpis.md describes the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Final, NoReturn

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from accord.core import safe_yaml
from accord.core.problems import Problem, Problems
from accord.core.sectors import SERVICES
from accord.core.yaml_checks import YamlChecker, describe, join

SHIPPED_FILE: Final = Path(__file__).resolve().parent / "data" / "indicators.yaml"

# The vocabularies of the file: the same words as the models' choices (kpis/choices.py, which
# a test holds to these), written here because this module imports no Django.
UNITS: Final = ("seconds", "minutes", "count", "percent", "pounds", "ratio", "score")
DIRECTIONS: Final = ("increase", "decrease", "neutral")
FREQUENCIES: Final = ("monthly", "quarterly", "annual")
AGGREGATIONS: Final = ("sum", "weighted_mean", "none")

#: What Accord can work out itself: a C of the three Cs (``three_cs:`` and the framework's
#: group id) from the latest assessment, and benefits realised against the appraisal's forecast.
THREE_CS: Final = "three_cs:"
REALISED_VS_FORECAST: Final = "appraisal:realised_vs_forecast"

#: An indicator's id: what the models' key (a slug) holds.
KEY_PATTERN: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$")
#: A column of NHS England's AmbSYS file (``A25``), which published indicators read.
AMBSYS_COLUMN: Final = re.compile(r"^A[0-9]{1,4}$")

_REQUIRED: Final = (
    "id",
    "title",
    "description",
    "unit",
    "direction",
    "frequency",
    "aggregation",
    "services",
    "source",
)
_OPTIONAL: Final = (
    "weight_column",
    "source_url",
    "standard",
    "standard_text",
    "published_column",
    "computed",
)
#: The longest text each field may hold (the models' lengths).
_LENGTHS: Final = {
    "title": 200,
    "standard_text": 300,
    "source_url": 500,
    "weight_column": 80,
    "published_column": 40,
    "computed": 80,
}


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator as the library defines it, in the models' terms (``key`` is the id)."""

    key: str
    title: str
    description: str
    unit: str
    direction: str
    frequency: str
    aggregation: str
    services: tuple[str, ...]
    source: str
    weight_column: str = ""
    source_url: str = ""
    standard: float | None = None
    standard_text: str = ""
    published_column: str = ""
    computed: str = ""

    def fields(self) -> dict[str, Any]:
        """The model's fields, as the services write them."""
        return {
            "key": self.key,
            "title": self.title,
            "description": self.description,
            "unit": self.unit,
            "direction": self.direction,
            "frequency": self.frequency,
            "aggregation": self.aggregation,
            "weight_column": self.weight_column,
            "services": list(self.services),
            "source": self.source,
            "source_url": self.source_url,
            "standard": self.standard,
            "standard_text": self.standard_text,
            "published_column": self.published_column,
            "computed": self.computed,
        }


@dataclass(frozen=True)
class Library:
    indicators: tuple[IndicatorSpec, ...]
    source: str = ""
    notes: str = ""
    by_key: dict[str, IndicatorSpec] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self.by_key.update({spec.key: spec for spec in self.indicators})

    def keys(self) -> list[str]:
        return [spec.key for spec in self.indicators]


class LibraryError(Problems):
    """The library file failed validation: every problem, each naming its line and path."""


# Lines -------------------------------------------------------------------------------------


def _lines(text: str) -> dict[str, int]:
    """Each path in the document (``indicators[3].unit``) and the line it stands on (1 up)."""
    try:
        # Composed only after safe_yaml.load has read the same text within its limits.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    found: dict[str, int] = {}

    def walk(node: Node, path: str) -> None:
        if isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                child = join(path, str(key_node.value))
                found.setdefault(child, key_node.start_mark.line + 1)
                walk(value_node, child)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                child = join(path, index)
                found.setdefault(child, item.start_mark.line + 1)
                walk(item, child)

    if root is not None:
        found[""] = root.start_mark.line + 1
        walk(root, "")
    return found


def _line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`, or of the nearest key above it (a missing key: its mapping's)."""
    while True:
        if path in lines:
            return lines[path]
        if not path:
            return None
        cut = max(path.rfind("."), path.rfind("["))
        path = path[:cut] if cut > 0 else ""


# Checking ------------------------------------------------------------------------------------


class _Checker(YamlChecker):
    """The kernel's YAML checker, naming each problem's line where the file is known."""

    def __init__(self, source: str | None, lines: Mapping[str, int] | None = None) -> None:
        super().__init__(source)
        self.lines = lines or {}

    def problem(self, path: str, reason: str, *, refused: bool = False) -> None:
        line = _line_of(self.lines, path) if self.lines else None
        where = self.source
        if line is not None:
            where = f"{where}, line {line}" if where else f"line {line}"
        self.problems.append(
            Problem(reason, field=path or self.top_level, source=where, refused=refused)
        )

    def fail(self) -> NoReturn:
        raise LibraryError(self.problems)


def _short(check: _Checker, value: object, path: str, name: str, required: bool) -> str:
    text = check.text(value, path, required=required)
    if text is None:
        return ""
    limit = _LENGTHS.get(name)
    if limit is not None and len(text) > limit:
        check.problem(path, f"is longer than {limit} characters ({len(text):,})")
        return ""
    return " ".join(text.split()) if name != "description" else text


def _check(
    check: _Checker,
    data: Mapping[str, Any],
    path: str,
    *,
    known_keys: Iterable[str] = (),
    published_keys: Iterable[str] = (),
) -> IndicatorSpec | None:
    """One indicator's mapping checked; None (with the problems recorded) if it is wrong.

    ``known_keys`` are the other indicators an entered indicator's weight may name;
    ``published_keys`` those of them that are published (whose weight must be a column).
    """
    start = len(check.problems)
    check.keys(data, path, _REQUIRED, _OPTIONAL)

    def at(key: str) -> str:
        return join(path, key)

    key = ""
    if data.get("id") is not None:
        raw = data["id"]
        if not isinstance(raw, str) or not KEY_PATTERN.match(raw):
            check.problem(
                at("id"),
                "must be an id of at most 80 letters, digits, '-' or '_', starting with a "
                f"letter or digit, got {describe(raw)}",
            )
        else:
            key = raw
    title = _short(check, data.get("title"), at("title"), "title", True) if "title" in data else ""
    description = (
        _short(check, data.get("description"), at("description"), "description", True)
        if "description" in data
        else ""
    )
    unit = _choice(check, data, "unit", path, UNITS)
    direction = _choice(check, data, "direction", path, DIRECTIONS)
    frequency = _choice(check, data, "frequency", path, FREQUENCIES)
    aggregation = _choice(check, data, "aggregation", path, AGGREGATIONS)
    services: list[str] = []
    if data.get("services") is not None:
        raw_services = check.sequence(data["services"], at("services"))
        if raw_services is not None:
            if not raw_services:
                check.problem(at("services"), f"name at least one of {', '.join(SERVICES)}")
            for index, service in enumerate(raw_services):
                chosen = check.choice(service, join(at("services"), index), SERVICES)
                if chosen is None:
                    continue
                if chosen in services:
                    check.problem(join(at("services"), index), f"{chosen!r} is listed twice")
                    continue
                services.append(chosen)
    source = (
        _short(check, data.get("source"), at("source"), "source", True) if "source" in data else ""
    )
    source_url = _short(check, data.get("source_url"), at("source_url"), "source_url", False)
    if source_url and not re.match(r"^https?://[^\s/]+", source_url):
        check.problem(
            at("source_url"), f"must be a web address (http or https), got {source_url!r}"
        )
    standard: float | None = None
    if data.get("standard") is not None:
        standard = check.number(data["standard"], at("standard"))
    standard_text = _short(
        check, data.get("standard_text"), at("standard_text"), "standard_text", False
    )
    if standard_text and standard is None and data.get("standard") is None:
        check.problem(at("standard_text"), "describes a standard: give its value in `standard` too")
    published = _short(
        check, data.get("published_column"), at("published_column"), "published_column", False
    )
    if published and not AMBSYS_COLUMN.match(published):
        check.problem(
            at("published_column"),
            f"must be a column of the AmbSYS file, such as A25, got {published!r}",
        )
    computed = _short(check, data.get("computed"), at("computed"), "computed", False)
    if computed:
        group = computed.removeprefix(THREE_CS)
        if computed != REALISED_VS_FORECAST and (
            not computed.startswith(THREE_CS) or not KEY_PATTERN.match(group)
        ):
            check.problem(
                at("computed"),
                f"must be {THREE_CS}GROUP (a C of the three Cs, such as three_cs:culture) or "
                f"{REALISED_VS_FORECAST}, got {computed!r}",
            )
        if published:
            check.problem(
                at("computed"),
                "an indicator is either published (published_column) or worked out by Accord "
                "(computed), not both",
            )
    weight = _short(check, data.get("weight_column"), at("weight_column"), "weight_column", False)
    if aggregation == "weighted_mean":
        known = set(known_keys) - {key}
        if not weight:
            check.problem(
                at("weight_column"),
                "a weighted mean needs the column that weights it (weight_column)",
            )
        elif published:
            if not AMBSYS_COLUMN.match(weight):
                check.problem(
                    at("weight_column"),
                    f"must be a column of the AmbSYS file, such as A8, got {weight!r}",
                )
        elif weight not in known:
            check.problem(
                at("weight_column"),
                "must be the id of another indicator in the library, the count that weights "
                f"the mean (such as co-responder-attendances), got {weight!r}",
            )
        elif weight in set(published_keys):
            check.problem(
                at("weight_column"),
                f"{weight!r} is published; an indicator entered by hand is weighted by another "
                "entered by hand",
            )
    elif weight and aggregation:
        check.problem(
            at("weight_column"),
            f"only a weighted mean has a weight column (aggregation is {aggregation})",
        )
    if len(check.problems) > start or not all(
        (key, title, description, unit, direction, frequency, aggregation, source, services)
    ):
        return None
    return IndicatorSpec(
        key=key,
        title=title,
        description=description,
        unit=unit,
        direction=direction,
        frequency=frequency,
        aggregation=aggregation,
        services=tuple(services),
        source=source,
        weight_column=weight,
        source_url=source_url,
        standard=standard,
        standard_text=standard_text,
        published_column=published,
        computed=computed,
    )


def _choice(
    check: _Checker, data: Mapping[str, Any], name: str, path: str, choices: Sequence[str]
) -> str:
    if data.get(name) is None:
        return ""
    return check.choice(data[name], join(path, name), choices) or ""


def check_indicator(
    values: Mapping[str, Any],
    *,
    known_keys: Iterable[str] = (),
    published_keys: Iterable[str] = (),
) -> IndicatorSpec:
    """One indicator, from a form or the API, by the library's rules; :class:`Problems` whose
    fields are the models' names (``unit``, ``weight_column``)."""
    data = dict(values)
    data["id"] = data.pop("key", data.get("id"))
    # Blank optional text is the same as leaving it out.
    for name in _OPTIONAL:
        if data.get(name) in ("", None):
            data.pop(name, None)
    check = _Checker(None)
    spec = _check(check, data, "", known_keys=known_keys, published_keys=published_keys)
    if spec is None or check.problems:
        raise Problems(check.problems or [Problem("is not a valid indicator")])
    return spec


# The file ------------------------------------------------------------------------------------


def parse_library(text: str, source: str) -> Library:
    """The library in `text` (YAML), every indicator checked; :class:`LibraryError` lists every
    problem, each with its line."""
    try:
        data = safe_yaml.load(text)
    except safe_yaml.YamlRefused as exc:
        raise LibraryError([Problem(str(exc), source=source, refused=True)]) from exc
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f"line {mark.line + 1}, column {mark.column + 1}: "
        problem = getattr(exc, "problem", None) or str(exc)
        raise LibraryError([Problem(f"{where}not valid YAML: {problem}", source=source)]) from exc
    check = _Checker(source, _lines(text))
    top = check.mapping(data, "", "indicators")
    if top is None:
        check.fail()
    check.keys(top, "", ("indicators",), ("notes",))
    notes = check.text(top.get("notes"), "notes", required=False) or ""
    raw = check.sequence(top["indicators"], "indicators") if "indicators" in top else None
    if raw is None:
        check.fail()
    if not raw:
        check.problem("indicators", "the library needs at least one indicator")
    entries = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(raw):
        path = f"indicators[{index}]"
        mapping = check.mapping(entry, path, "an indicator")
        if mapping is None:
            continue
        key = mapping.get("id")
        if isinstance(key, str) and key in seen:
            check.problem(join(path, "id"), f"{key!r} is already the id of indicators[{seen[key]}]")
        elif isinstance(key, str):
            seen[key] = index
        entries.append((path, mapping))
    known = set(seen)
    published = {
        e.get("id")
        for _, e in entries
        if e.get("published_column") and isinstance(e.get("id"), str)
    }
    specs = []
    for path, mapping in entries:
        spec = _check(
            check,
            mapping,
            path,
            known_keys=known,
            published_keys={str(p) for p in published},
        )
        if spec is not None:
            specs.append(spec)
    check.raise_if_any()
    return Library(indicators=tuple(specs), source=source, notes=notes)


def load_file(path: str | Path) -> Library:
    """A library file from disk, refused unread when larger than the import limit."""
    file = Path(path)
    try:
        text = safe_yaml.read_file(file)
    except safe_yaml.YamlRefused as exc:
        raise LibraryError([Problem(str(exc), source=file.name, refused=True)]) from exc
    return parse_library(text, file.name)


@cache
def shipped_library() -> Library:
    """The library shipped with Accord (``kpis/data/indicators.yaml``)."""
    return load_file(SHIPPED_FILE)


def shipped_text() -> str:
    return SHIPPED_FILE.read_text(encoding="utf-8")
