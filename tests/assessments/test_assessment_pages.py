"""The assessment pages: permissions (a person who passes and one who does not), the survey by
link, results with disclosure control, exports, imports and query counts."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from tests.assessments.assessment_helpers import (
    add_responses,
    framework_version,
    invite,
    make_round,
)

from accord.assessments import services
from accord.assessments.models import Invitation, Response, Round

pytestmark = pytest.mark.django_db


def _client(user: Any = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# Permissions -------------------------------------------------------------------------------


def test_round_pages_follow_the_collaboration_s_visibility(
    collaboration: Any, colleague: Any, outsider: Any
) -> None:
    found = make_round(collaboration)
    for path in (
        f"/assessments/rounds/{found.pk}/",
        f"/assessments/rounds/{found.pk}/export.csv",
        f"/assessments/c/{collaboration.reference}/",
    ):
        assert _client(colleague).get(path).status_code == 200, path
        assert _client(outsider).get(path).status_code == 404, path
        assert _client().get(path).status_code == 404, path


def test_public_collaboration_results_are_public(make_collaboration: Any) -> None:
    public = make_collaboration("Open pilot", visibility="public")
    found = make_round(public)
    assert _client().get(f"/assessments/rounds/{found.pk}/").status_code == 200


@pytest.mark.parametrize("suffix", ["invite/", "import/"], ids=["invite", "import"])
def test_managing_a_round_needs_an_editor(
    collaboration: Any, owner: Any, partner_user: Any, colleague: Any, outsider: Any, suffix: str
) -> None:
    found = make_round(collaboration)
    path = f"/assessments/rounds/{found.pk}/{suffix}"
    assert _client(owner).get(path).status_code == 200
    assert _client(partner_user).get(path).status_code == 200
    # A reader at a partner sees the round but may not manage it: refused, and told so (403).
    assert _client(colleague).get(path).status_code == 403
    assert _client(outsider).get(path).status_code == 404  # may not see it: as if absent
    assert _client().get(path).status_code == 302  # to sign in


def test_starting_a_round_needs_an_editor(
    collaboration: Any, owner: Any, colleague: Any, outsider: Any
) -> None:
    path = f"/assessments/c/{collaboration.reference}/new/"
    assert _client(colleague).get(path).status_code == 403
    assert _client(outsider).get(path).status_code == 404
    client = _client(owner)
    assert client.get(path).status_code == 200
    response = client.post(
        path,
        {
            "title": "Spring 2026",
            "framework": framework_version().pk,
            "opens_on": "2026-03-01",
            "closes_on": "01/04/2026",
            "anonymous": "yes",
        },
    )
    found = Round.objects.get(title="Spring 2026")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/rounds/{found.pk}/invite/"
    )
    assert found.anonymous and str(found.closes_on) == "2026-04-01"
    bad = client.post(
        path,
        {
            "title": "x",
            "framework": framework_version().pk,
            "opens_on": "2026-03-02",
            "closes_on": "2026-03-01",
            "anonymous": "yes",
        },
    )
    assert b"must close on or after" in bad.content


def test_the_panel_on_the_collaboration_page(
    collaboration: Any, owner: Any, colleague: Any
) -> None:
    page = _client(owner).get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "No assessment rounds yet" in page and "Start an assessment round" in page
    assert (
        "Start an assessment round"
        not in _client(colleague)
        .get(f"/collaborations/{collaboration.reference}/")
        .content.decode()
    )
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 4})
    page = _client(colleague).get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "fewer than 5 responses" in page
    add_responses(found, {("RX9", "tactical"): 1})
    page = _client(colleague).get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "fewer than 5 responses" not in page and "Clear vision" in page


# Invitations through the pages -------------------------------------------------------------


def test_inviting_by_list_shows_the_links_once_and_offers_them_as_csv(
    collaboration: Any, owner: Any
) -> None:
    found = make_round(collaboration)
    client = _client(owner)
    rx9 = collaboration.partners.get(organisation__code="RX9").organisation
    response = client.post(
        f"/assessments/rounds/{found.pk}/invite/",
        {
            "via": "list",
            "emails": "a@emas.test, b@emas.test",
            "organisation": rx9.pk,
            "level": "tactical",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "shown only now" in page
    assert response["Cache-Control"] == "no-store"
    links = [
        line.split('<code class="accord-link-text">')[1].split("<")[0]
        for line in page.splitlines()
        if "accord-link-text" in line
    ][0:1]
    assert links
    token = links[0].rstrip("/").rsplit("/", 1)[1]
    assert Invitation.objects.filter(token_hash=services.invitation_hash(token)).exists()
    # The page with the list does not show them again.
    assert token not in client.get(f"/assessments/rounds/{found.pk}/invite/").content.decode()
    download = client.post(
        f"/assessments/rounds/{found.pk}/links.csv",
        {"email": ["a@emas.test"], "link": [links[0]]},
    )
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows == [["email", "link"], ["a@emas.test", links[0]]]


def test_inviting_by_spreadsheet_reports_bad_rows(collaboration: Any, owner: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    found = make_round(collaboration)
    upload = SimpleUploadedFile(
        "people.csv", b"email,organisation,level\na@emas.test,RX9,tactical\nbad,RX9,tactical\n"
    )
    response = _client(owner).post(
        f"/assessments/rounds/{found.pk}/invite/", {"via": "file", "file": upload}
    )
    assert (
        "Row 3, column email: &#x27;bad&#x27; is not an email address" in response.content.decode()
    )
    assert Invitation.objects.count() == 0
    good = SimpleUploadedFile("people.csv", b"email,organisation,level\na@emas.test,RX9,tactical\n")
    response = _client(owner).post(
        f"/assessments/rounds/{found.pk}/invite/", {"via": "file", "file": good}
    )
    assert "1 personal link" in response.content.decode()
    assert Invitation.objects.count() == 1


# The survey --------------------------------------------------------------------------------


def test_the_survey_one_factor_a_page_then_submit(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    framework = found.framework.framework
    client = Client()
    url = f"/assessments/respond/{token}/"
    start = client.get(url)
    assert start.status_code == 200 and b"This survey is anonymous" in start.content
    first = client.get(url + "?page=1").content.decode()
    assert f"Factor 1 of {len(framework.factors)}" in first
    assert "Not applicable" in first and 'type="radio"' in first
    items = framework.factors[0].items
    saved = client.post(url + "?page=1", {"action": "next", **{f"item_{i.id}": "4" for i in items}})
    assert saved.status_code == 302 and saved["Location"].endswith("?page=2")
    assert Response.objects.get().answers == {i.id: 4 for i in items}
    # Coming back shows the saved answers.
    assert 'value="4" checked' in client.get(url + "?page=1").content.decode()
    last = len(framework.factors)
    page = client.get(url + f"?page={last}").content.decode()
    assert "Submit your answers" in page
    done = client.post(
        url + f"?page={last}",
        {
            "action": "submit",
            "comment": "Thanks",
            **{f"item_{i.id}": "na" for i in framework.factors[-1].items},
        },
    )
    assert done.status_code == 302 and done["Location"].endswith("?done=1")
    response = Response.objects.get()
    assert response.submitted and response.comment == "Thanks"
    assert all(response.answers[i.id] is None for i in framework.factors[-1].items)
    assert b"Thank you" in client.get(url + "?done=1").content


def test_the_survey_all_on_one_page(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    framework = found.framework.framework
    client = Client()
    url = f"/assessments/respond/{token}/?page=all"
    page = client.get(url).content.decode()
    assert page.count('value="na"') == len(framework.items)
    client.post(url, {"action": "submit", **{f"item_{i}": "3" for i in framework.item_ids}})
    assert set(Response.objects.get().answers.values()) == {3}


def test_closed_and_unknown_links(collaboration: Any) -> None:
    import datetime as dt

    found = make_round(collaboration, opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2020, 2, 1))
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    closed = Client().get(f"/assessments/respond/{token}/?page=1")
    assert closed.status_code == 410 and b"This survey has closed" in closed.content
    refused = Client().post(f"/assessments/respond/{token}/?page=all", {"action": "submit"})
    assert refused.status_code == 410
    assert Response.objects.count() == 0
    assert Client().get("/assessments/respond/unknown-token/").status_code == 404


# Results, disclosure and export ------------------------------------------------------------


@pytest.mark.parametrize("count", [4, 5])
def test_results_page_and_export_suppress_below_k(
    collaboration: Any, colleague: Any, count: int, settings: Any
) -> None:
    settings.DISCLOSURE_THRESHOLD = 5
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): count}, comment="A frank comment")
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    rows = list(
        csv.DictReader(
            io.StringIO(
                _client(colleague)
                .get(f"/assessments/rounds/{found.pk}/export.csv")
                .content.decode("utf-8-sig")
            )
        )
    )
    overall = [r for r in rows if r["breakdown"] == "overall"]
    if count < 5:
        assert "No figures are shown for this round: fewer than 5 responses." in page
        assert "A frank comment" not in page
        assert 'id="round-factors-table"' not in page
        assert all(r["mean"] == "" and r["note"] == "fewer than 5 responses" for r in rows)
    else:
        assert "No figures are shown" not in page
        assert "A frank comment" in page
        assert 'id="round-factors-table"' in page and "Borderline" in page
        assert all(r["mean"] != "" for r in overall)
        assert {r["group"] for r in rows if r["breakdown"] == "organisation"} == {"RX9"}


def test_k_follows_the_setting(collaboration: Any, colleague: Any, settings: Any) -> None:
    settings.DISCLOSURE_THRESHOLD = 8
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 6})
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert "fewer than 8 responses" in page


def test_breakdowns_suppress_small_organisations(collaboration: Any, colleague: Any) -> None:
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 6, ("E31000025", "strategic"): 2})
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert "East Midlands Ambulance Service" in page
    breakdown = page.split('id="breakdown-organisation"')[1].split("</table>")[0]
    assert "fewer than 5 responses" in breakdown  # Lincolnshire: 2
    assert "6 responses" in breakdown
    rates = page.split('id="rates-organisation"')[1].split("</table>")[0]
    assert "Lincolnshire" in rates
    xlsx = _client(colleague).get(f"/assessments/rounds/{found.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    lincs = [r for r in values[1:] if r[header.index("group")] == "E31000025"]
    assert lincs and all(r[header.index("mean")] is None for r in lincs)
    assert all(r[header.index("note")] == "fewer than 5 responses" for r in lincs)


def test_results_page_queries_do_not_grow_with_responses(
    collaboration: Any, colleague: Any
) -> None:
    few = make_round(collaboration, title="Few")
    many = make_round(collaboration, title="Many")
    add_responses(few, {("RX9", "tactical"): 5})
    add_responses(many, {("RX9", "tactical"): 30, ("E31000025", "strategic"): 20}, comment="c")
    invite(many, [(f"p{i}@emas.test", "RX9", "operational") for i in range(20)])
    client = _client(colleague)
    counts = []
    for found in (few, many):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/assessments/rounds/{found.pk}/").status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1], counts
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"/assessments/rounds/{many.pk}/")
    answers = [q["sql"] for q in ctx.captured_queries if '"answers"' in q["sql"]]
    assert len(answers) == 1, answers


def test_over_time_shows_change_and_p_value(collaboration: Any, colleague: Any) -> None:
    import datetime as dt

    first = make_round(
        collaboration, title="2025", opens_on=dt.date(2025, 3, 1), closes_on=dt.date(2025, 3, 31)
    )
    second = make_round(
        collaboration, title="2026", opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 31)
    )
    add_responses(first, {("RX9", "tactical"): 6}, value=3)
    add_responses(second, {("RX9", "tactical"): 6}, value=5)
    page = _client(colleague).get(f"/assessments/c/{collaboration.reference}/").content.decode()
    assert "Over time: collaboration-factors" in page
    assert "change +" in page and ", p " in page


def test_index_needs_sign_in_and_counts_only_visible_collaborations(
    collaboration: Any, make_collaboration: Any, colleague: Any, outsider: Any
) -> None:
    assert Client().get("/assessments/").status_code == 302
    found = make_round(collaboration)
    # Barriers answered 4 -> reversed 2: every barrier a concern in the (partners-only) round.
    add_responses(found, {("RX9", "tactical"): 6}, value=4)
    mine = _client(colleague).get("/assessments/").content.decode()
    assert "1 of the 1 collaboration you can see has" in mine
    assert 'id="barrier-prevalence-table"' in mine
    theirs = _client(outsider).get("/assessments/").content.decode()
    assert "0 of the 0 collaborations" in theirs


def test_mix_with_fewer_than_k_responses_is_suppressed(collaboration: Any, colleague: Any) -> None:
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 3})
    page = _client(colleague).get("/assessments/").content.decode()
    table = page.split('id="mix-table"')[1].split("</table>")[0]
    assert "fewer than 5 responses" in table


# Importing responses and frameworks through the pages ---------------------------------------


def test_import_page_maps_columns_and_reports_bad_rows(collaboration: Any, owner: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    found = make_round(collaboration)
    framework = found.framework.framework
    header = "org,lvl," + ",".join(f"Q{i}" for i in range(len(framework.items)))
    good_row = "RX9,tactical," + ",".join(["4"] * len(framework.items))
    bad_row = "RX9,tactical," + ",".join(["6"] * len(framework.items))
    mapping = {f"item_{item.id}": f"Q{i}" for i, item in enumerate(framework.items)}
    post = {"organisation_column": "org", "level_column": "lvl", **mapping}
    client = _client(owner)
    bad = client.post(
        f"/assessments/rounds/{found.pk}/import/",
        {
            **post,
            "file": SimpleUploadedFile("x.csv", f"{header}\n{good_row}\n{bad_row}\n".encode()),
        },
    )
    assert "Nothing was imported" in bad.content.decode()
    assert (
        "Row 3, column &#x27;q0&#x27;: &#x27;6&#x27; is outside the scale" in bad.content.decode()
    )
    assert Response.objects.count() == 0
    good = client.post(
        f"/assessments/rounds/{found.pk}/import/",
        {**post, "file": SimpleUploadedFile("x.csv", f"{header}\n{good_row}\n".encode())},
    )
    assert good.status_code == 302
    assert Response.objects.filter(source="import").count() == 1


def test_framework_upload_page(platform_admin: Any, owner: Any, collaboration: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.assessments.test_assessment_services import _yaml

    assert _client(owner).get("/assessments/frameworks/").status_code == 200
    refused = _client(owner).post(
        "/assessments/frameworks/", {"file": SimpleUploadedFile("t.yaml", _yaml(1).encode())}
    )
    assert refused.status_code == 403
    client = _client(platform_admin)
    ok = client.post(
        "/assessments/frameworks/", {"file": SimpleUploadedFile("t.yaml", _yaml(1).encode())}
    )
    assert ok.status_code == 302
    make_round(collaboration, key="tiny")
    in_use = client.post(
        "/assessments/frameworks/",
        {"file": SimpleUploadedFile("t.yaml", _yaml(1, "Changed").encode())},
    )
    assert "already used by an assessment round" in in_use.content.decode()
    bad = client.post(
        "/assessments/frameworks/",
        {
            "file": SimpleUploadedFile(
                "t.yaml", _yaml(3).replace("kind: enabler", "kind: x").encode()
            )
        },
    )
    assert (
        "t.yaml: factors[0].kind: must be one of enabler, barrier, principle"
        in bad.content.decode()
    )
