"""Unknown is not no (issue 11): a written collaboration agreement is yes, no or not known, in
the form, the import, the export, the API and the risk flags."""

from __future__ import annotations

import csv
import importlib
import io
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from tests.register.helpers import edit_data, form_data

from accord.register import exports, importers, services
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db

HEADER = "title,summary,research_area,nature,status,partners,written_agreement\n"
ROW = (
    "Pilot {n},Fire crews convey patients,effective,co_responding,operational,E31000025,{answer}\n"
)


def _codes(collaboration: Collaboration) -> list[str]:
    return [risk.code for risk in services.risks_for(collaboration)]


def test_a_new_record_asks_yes_no_or_not_known_with_nothing_chosen(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    form = client.get("/collaborations/new/").context["form"]
    field = form["has_written_agreement"]
    assert [label for _, label in field.field.choices] == ["Yes", "No", "Not known"]
    assert field.value() in (None, "")
    page = client.get("/collaborations/new/").content.decode()
    assert 'name="has_written_agreement" type="radio" value="yes" checked' not in page
    assert "checked" not in page.split('name="has_written_agreement"', 1)[1].split("</fieldset>")[0]

    refused = client.post("/collaborations/new/", form_data(has_written_agreement=None))
    assert refused.status_code == 200
    assert "Select yes, no or not known for a written collaboration agreement" in (
        refused.content.decode()
    )
    assert not Collaboration.objects.exists()


@pytest.mark.parametrize(
    ("answer", "stored", "flag"),
    [
        ("yes", True, None),
        ("no", False, "no_agreement"),
        ("not_known", None, "agreement_not_recorded"),
    ],
)
def test_each_answer_is_kept_and_flagged_as_what_it_is(
    client: Client, owner: Any, answer: str, stored: bool | None, flag: str | None
) -> None:
    client.force_login(owner)
    assert (
        client.post("/collaborations/new/", form_data(has_written_agreement=answer)).status_code
        == 302
    )
    c = Collaboration.objects.get()
    assert c.has_written_agreement is stored
    codes = _codes(c)
    assert ("no_agreement" in codes) is (flag == "no_agreement")
    assert ("agreement_not_recorded" in codes) is (flag == "agreement_not_recorded")
    page = client.get(f"/collaborations/{c.reference}/").content.decode()
    if flag == "agreement_not_recorded":
        assert "Agreement not recorded" in page
    # The edit form shows the answer given.
    edit = client.get(f"/collaborations/{c.reference}/edit/").context["form"]
    assert edit["has_written_agreement"].value() == answer


def test_the_import_reads_yes_no_and_blank_or_not_known_as_not_known() -> None:
    answers = ["yes", "No", "", "not known", "Not Known"]
    text = HEADER + "".join(ROW.format(n=n, answer=a) for n, a in enumerate(answers))
    rows = importers.parse_file(text.encode(), "agreements.csv")
    assert [r.data.has_written_agreement for r in rows] == [True, False, None, None, None]
    with pytest.raises(importers.ImportFailed) as caught:
        importers.parse_file((HEADER + ROW.format(n=9, answer="maybe")).encode(), "bad.csv")
    assert caught.value.problems == [
        "Row 2, column written_agreement: 'maybe' is not yes, no or not known (blank is not known)"
    ]


def test_the_export_writes_yes_no_or_not_known_in_its_own_column(
    make_collaboration: Any,
) -> None:
    for title, answer in (("A yes", True), ("A no", False), ("An unknown", None)):
        make_collaboration(title, visibility="public", has_written_agreement=answer)
    text = exports.render(Collaboration.objects.all(), "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["title"]: r["written_agreement"] for r in rows} == {
        "A yes": "yes",
        "A no": "no",
        "An unknown": "not known",
    }
    header = text.splitlines()[0].split(",")
    assert header.index("written_agreement") == header.index("board") + 1


def test_the_api_says_null_for_not_known(
    client: Client, owner: Any, make_collaboration: Any
) -> None:
    c = make_collaboration(has_written_agreement=None)
    client.force_login(owner)
    body = client.get(f"/api/collaborations/{c.reference}").json()
    assert body["has_written_agreement"] is None
    assert "agreement_not_recorded" in {r["code"] for r in body["risks"]}
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    field = schema["CollaborationDetailOut"]["properties"]["has_written_agreement"]
    assert "not known" in field["description"]
    assert {"type": "null"} in field["anyOf"]


@pytest.mark.unaudited_writes("a migration's data step, which writes no audit events")
def test_the_migration_reads_an_old_no_as_not_known_and_keeps_yes(
    make_collaboration: Any,
) -> None:
    migration = importlib.import_module(
        "accord.register.migrations.0005_written_agreement_not_known"
    )
    yes = make_collaboration("Signed", has_written_agreement=True)
    old_no = make_collaboration("Unticked", has_written_agreement=False)
    migration.false_is_not_known(apps, None)
    yes.refresh_from_db()
    old_no.refresh_from_db()
    assert (yes.has_written_agreement, old_no.has_written_agreement) == (True, None)


def test_the_demo_records_say_not_known_where_the_sources_do_not_say() -> None:
    from accord.core.actors import SystemActor
    from accord.register.demo import load_demo_collaborations

    created = load_demo_collaborations(SystemActor("test"))
    assert created and all(c.has_written_agreement is None for c in created)


def test_editing_keeps_not_known_unless_someone_answers(
    client: Client, owner: Any, make_collaboration: Any
) -> None:
    c = make_collaboration(has_written_agreement=None)
    client.force_login(owner)
    url = f"/collaborations/{c.reference}/edit/"
    assert client.post(url, edit_data(c, title="Renamed")).status_code == 302
    c.refresh_from_db()
    assert c.has_written_agreement is None
    assert client.post(url, edit_data(c, has_written_agreement="no")).status_code == 302
    c.refresh_from_db()
    assert c.has_written_agreement is False
