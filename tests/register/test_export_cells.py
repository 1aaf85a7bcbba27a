"""The export keeps each record's relations as it writes them (register.models.ExportCells)
and reads them back while they are current: an edit, an organisation renamed or an area
renamed shows in the next export, and kept text that is out of date is never written out."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from tests.support.factories import AreaFactory

from accord.core import audit
from accord.orgs.models import Area, Organisation
from accord.register import exports, services
from accord.register.models import Collaboration, ExportCells

pytestmark = pytest.mark.django_db


def _exported(reference: str) -> dict[str, str]:
    text = exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig")
    return next(row for row in csv.DictReader(io.StringIO(text)) if row["reference"] == reference)


def _partners(collaboration: Collaboration) -> list[tuple[Organisation, str]]:
    return [(p.organisation, p.role) for p in collaboration.partners.all()]


def _edit(owner: Any, collaboration: Collaboration, **changes: Any) -> None:
    collaboration.refresh_from_db()
    data = services.CollaborationData(
        title=collaboration.title,
        reference=collaboration.reference,
        summary=collaboration.summary,
        research_area=collaboration.research_area,
        nature=collaboration.nature,
        status=collaboration.status,
        partners=_partners(collaboration),
        visibility=collaboration.visibility,
    )
    for name, value in changes.items():
        setattr(data, name, value)
    services.update_collaboration(
        owner, collaboration, data, expected_version=collaboration.version
    )


def test_the_relations_are_kept_at_the_records_version(collaboration: Any) -> None:
    first = _exported(collaboration.reference)
    kept = ExportCells.objects.get(collaboration=collaboration)
    assert kept.version == collaboration.version
    assert "Lincolnshire Fire and Rescue" in kept.partners
    assert _exported(collaboration.reference) == first


def test_an_edited_record_is_exported_as_it_now_is(owner: Any, collaboration: Any) -> None:
    assert "RYC" not in _exported(collaboration.reference)["partners"]
    east = Organisation.objects.get(code="RYC")
    _edit(
        owner,
        collaboration,
        partners=[*_partners(collaboration), (east, "partner")],
        champions=[("Chief Fire Officer", None)],
    )
    row = _exported(collaboration.reference)
    assert "RYC:partner" in row["partners"] and "East of England" in row["partner_names"]
    assert row["champions"] == "Chief Fire Officer"
    collaboration.refresh_from_db()
    assert ExportCells.objects.get(collaboration=collaboration).version == collaboration.version


def test_an_organisation_renamed_is_exported_under_its_new_name(collaboration: Any) -> None:
    assert "Lincolnshire Fire and Rescue" in _exported(collaboration.reference)["partner_names"]
    fire = Organisation.objects.get(code="E31000025")
    before = {"name": fire.name}
    fire.name = "Lincolnshire Fire and Rescue Service (renamed)"
    fire.save(update_fields=["name"])
    audit.record(
        actor="system",
        action="organisation.update",
        obj=fire,
        before=before,
        after={"name": fire.name},
    )
    assert "(renamed)" in _exported(collaboration.reference)["partner_names"]


def test_an_area_renamed_is_exported_under_its_new_name(owner: Any, collaboration: Any) -> None:
    from accord.orgs import services as orgs
    from accord.orgs.importers import AreaRow

    area = AreaFactory(code="E06000099", name="Old district")
    _edit(owner, collaboration, areas=[area])
    assert _exported(collaboration.reference)["area_names"] == "Old district"
    # Renamed as an ONS lookup renames it: through the areas' import, audited.
    orgs.import_areas(
        [AreaRow(code="E06000099", name="Renamed district", kind="district", within=[])],
        actor="system",
    )
    assert Area.objects.get(code="E06000099").name == "Renamed district"
    assert _exported(collaboration.reference)["area_names"] == "Renamed district"


@pytest.mark.unaudited_writes("kept text made out of date on purpose")
def test_kept_text_out_of_date_is_never_written_out(collaboration: Any) -> None:
    _exported(collaboration.reference)
    # Kept at another version, or before organisations changed: both are joined afresh.
    ExportCells.objects.filter(collaboration=collaboration).update(
        partners="STALE\x1fSTALE", version=collaboration.version + 5
    )
    row = _exported(collaboration.reference)
    assert "STALE" not in row["partners"] + row["partner_names"]
    ExportCells.objects.filter(collaboration=collaboration).update(
        partners="STALE\x1fSTALE", version=collaboration.version, organisations_state="old"
    )
    row = _exported(collaboration.reference)
    assert "STALE" not in row["partners"] + row["partner_names"]
