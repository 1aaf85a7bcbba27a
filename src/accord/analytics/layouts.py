"""Incident file layouts: how the columns of a service's export become the incident fields.

Every layout gives the same six fields (`FIELDS`): an incident's id, the service that
attended, when the call was received (ISO 8601 local time, no zone), where (latitude and
longitude, WGS84 degrees), and its category. A layout is one small mapping: which of the
file's columns holds each field, whether the file has a header row, and, where one column
says both the service and the category (Montgomery County's ``EMS: FALL VICTIM``), which
prefix means which service.

To read another layout, add one `Layout` to `LAYOUTS` (docs/analytics.md, "Layouts"): nothing
else changes, and ``accord overlap --format NAME`` reads it.

Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: The fields every layout gives, in this order.
FIELDS = ("incident_id", "service", "received_at", "latitude", "longitude", "category")
#: The fields the linkage reads.
LINKAGE_FIELDS = ("service", "received_at", "latitude", "longitude")


@dataclass(frozen=True)
class Layout:
    """How one kind of file holds the incident fields."""

    name: str
    description: str
    #: The file's columns, in order, when it has no header row; None when its first row
    #: names its columns (matched to `fields` in any order and case, others ignored).
    columns: tuple[str, ...] | None
    #: Incident field -> the file's column that holds it. A field with no column is blank
    #: (or, for service and category, comes from `title`).
    fields: Mapping[str, str]
    #: The file's columns without which a file is refused.
    required: tuple[str, ...]
    #: A column written ``PREFIX: rest``: the prefix gives the service through `services`
    #: (prefix as written -> service; compared in any case) and the rest is the category.
    title: str | None = None
    services: Mapping[str, str] = field(default_factory=dict)

    @property
    def has_header(self) -> bool:
        return self.columns is None

    def column_for(self, field_name: str) -> str | None:
        return self.fields.get(field_name)

    def needed(self, *, details: bool = True) -> tuple[str, ...]:
        """The file's columns this layout reads, in the order of `FIELDS` (title last);
        without `details`, only those the linkage needs (no incident id or category)."""
        fields = FIELDS if details else LINKAGE_FIELDS
        names = [self.fields[name] for name in fields if name in self.fields]
        if self.title is not None:
            names.append(self.title)
        return tuple(dict.fromkeys(names))


ACCORD = Layout(
    name="accord",
    description=(
        "Accord's columns, named in a header row in any order and case: incident_id, service, "
        "received_at, latitude, longitude, category (others are ignored)"
    ),
    columns=None,
    fields={name: name for name in FIELDS},
    # The linkage needs these four; an export without incident ids or categories still links.
    required=("service", "received_at", "latitude", "longitude"),
)

MONTCO = Layout(
    name="montco",
    description=(
        "Montgomery County (Pennsylvania) 911 calls, no header row: latitude, longitude, "
        "title ('EMS: FALL VICTIM', 'Fire: …', 'Traffic: …'), timestamp, township, address"
    ),
    columns=("latitude", "longitude", "title", "timestamp", "township", "address"),
    fields={"received_at": "timestamp", "latitude": "latitude", "longitude": "longitude"},
    required=("latitude", "longitude", "title", "timestamp"),
    title="title",
    services={"EMS": "ambulance", "Fire": "fire", "Traffic": "police"},
)

#: Every layout `accord overlap --format` reads, by name.
LAYOUTS: dict[str, Layout] = {layout.name: layout for layout in (ACCORD, MONTCO)}


def layout_named(name: str) -> Layout:
    try:
        return LAYOUTS[name]
    except KeyError:
        known = ", ".join(LAYOUTS)
        raise ValueError(f"unknown format {name!r}: use one of {known}") from None
