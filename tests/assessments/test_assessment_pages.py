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
            "opens_on": "2027-03-01",
            "closes_on": "01/04/2027",
            "anonymous": "yes",
        },
    )
    found = Round.objects.get(title="Spring 2026")
    assert response.status_code == 302 and response["Location"].endswith(
        f"/rounds/{found.pk}/invite/"
    )
    assert found.anonymous and str(found.closes_on) == "2027-04-01"
    bad = client.post(
        path,
        {
            "title": "x",
            "framework": framework_version().pk,
            "opens_on": "2027-03-02",
            "closes_on": "2027-03-01",
            "anonymous": "yes",
        },
    )
    assert b"Closing date must be the same as or after the opening date" in bad.content


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
    assert "Results appear when at least 5 people have answered" in page
    assert "4 of 5 so far" in page
    add_responses(found, {("RX9", "tactical"): 1})
    page = _client(colleague).get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "Results appear when" not in page and "Clear vision" in page


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
            "organisation": rx9.code,
            "level": "tactical",
            "send": "myself",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200 and "shown only now" in page
    assert response["Cache-Control"] == "no-store"
    links = [
        line.split('class="accord-link-text')[1].split(">")[1].split("<")[0]
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


def test_inviting_chooses_a_partner_with_the_organisation_picker(
    collaboration: Any, owner: Any
) -> None:
    found = make_round(collaboration)
    client = _client(owner)
    url = f"/assessments/rounds/{found.pk}/invite/"
    page = client.get(url).content.decode()
    # The shared picker: GOV.UK's accessible autocomplete over a select of the partners,
    # grouped by sector and sent by code, with nothing chosen to begin with.
    picker = page.split('name="organisation"', 1)[1].split("</select>", 1)[0]
    assert 'data-accord-organisation="one"' in picker
    assert '<optgroup label="Fire and rescue">' in picker
    assert '<optgroup label="Ambulance">' in picker
    assert 'value="RX9"' in picker and 'value="E31000025"' in picker
    assert '<option value="">Choose an organisation</option>' in picker
    assert "Hampshire" not in picker

    def send(organisation: str, email: str) -> str:
        answer = client.post(
            url,
            {
                "via": "list",
                "emails": email,
                "organisation": organisation,
                "level": "tactical",
                "send": "myself",
            },
        )
        return str(answer.content.decode())

    # A name, typed in any case, is understood as the import understands it ...
    assert "1 personal link" in send("east midlands ambulance service nhs trust", "a@emas.test")
    assert Invitation.objects.get(email="a@emas.test").organisation.code == "RX9"
    # ... a near miss is refused with a suggestion, and an organisation that is not a partner
    # is not offered.
    near = send("East Midlands Ambulance Servise", "b@emas.test")
    assert "Did you mean East Midlands Ambulance Service NHS Trust (RX9)?" in near
    assert "No organisation matches “E23000030”" in send("E23000030", "c@emas.test")
    assert Invitation.objects.count() == 1


def test_inviting_by_spreadsheet_reports_bad_rows(collaboration: Any, owner: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    found = make_round(collaboration)
    upload = SimpleUploadedFile(
        "people.csv", b"email,organisation,level\na@emas.test,RX9,tactical\nbad,RX9,tactical\n"
    )
    response = _client(owner).post(
        f"/assessments/rounds/{found.pk}/invite/", {"via": "file", "file": upload, "send": "myself"}
    )
    assert (
        "Row 3, column email: &#x27;bad&#x27; is not an email address" in response.content.decode()
    )
    assert Invitation.objects.count() == 0
    good = SimpleUploadedFile("people.csv", b"email,organisation,level\na@emas.test,RX9,tactical\n")
    response = _client(owner).post(
        f"/assessments/rounds/{found.pk}/invite/", {"via": "file", "file": good, "send": "myself"}
    )
    assert "1 personal link" in response.content.decode()
    assert Invitation.objects.count() == 1


# The survey --------------------------------------------------------------------------------


def test_the_survey_part_by_part_then_check_then_submit(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    framework = found.framework.framework
    parts = len(framework.factors)
    client = Client()
    url = f"/assessments/respond/{token}/"
    start = client.get(url)
    assert start.status_code == 200 and b"This survey is anonymous" in start.content
    # The start page promises as many parts as the survey then counts.
    assert f"in {parts} parts" in start.content.decode()
    first = client.get(url + "?page=1").content.decode()
    assert f"Part 1 of {parts}" in first
    assert "Not applicable" in first and 'type="radio"' in first
    items = framework.factors[0].items
    saved = client.post(url + "?page=1", {"action": "next", **{f"item_{i.id}": "4" for i in items}})
    assert saved.status_code == 302 and saved["Location"].endswith("?page=2")
    assert Response.objects.get().answers == {i.id: 4 for i in items}
    # Coming back shows the saved answers.
    assert 'value="4" checked' in client.get(url + "?page=1").content.decode()
    last = parts
    page = client.get(url + f"?page={last}").content.decode()
    assert "Save and check your answers" in page and "Submit your answers" not in page
    checked = client.post(
        url + f"?page={last}",
        {
            "action": "next",
            "comment": "Thanks",
            **{f"item_{i.id}": "na" for i in framework.factors[-1].items},
        },
    )
    assert checked.status_code == 302 and checked["Location"].endswith("?page=check")
    response = Response.objects.get()
    assert not response.submitted and response.comment == "Thanks"
    check = client.get(url + "?page=check").content.decode()
    assert "Check your answers before submitting them" in check
    assert check.count("govuk-summary-list__row") == len(framework.items) + 1
    assert check.count(">Change<") == len(framework.items) + 1
    assert f"?page=1&amp;return=check#id_item_{items[0].id}_0" in check
    done = client.post(url + "?page=check", {"action": "submit"})
    assert done.status_code == 302 and done["Location"].endswith("?done=1")
    response = Response.objects.get()
    assert response.submitted and response.comment == "Thanks"
    assert all(response.answers[i.id] is None for i in framework.factors[-1].items)
    assert b"Thank you" in client.get(url + "?done=1").content


def test_a_change_link_returns_to_check_your_answers(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    items = found.framework.framework.factors[2].items
    client = Client()
    url = f"/assessments/respond/{token}/"
    page = client.get(url + "?page=3&return=check").content.decode()
    assert "Save and return to check your answers" in page
    back = client.post(
        url + "?page=3&return=check", {"action": "next", **{f"item_{i.id}": "2" for i in items}}
    )
    assert back["Location"].endswith("?page=check")
    check = client.get(url + "?page=check").content.decode()
    assert "Disagree" in check


def test_a_page_left_blank_is_warned_about_once_then_allowed(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    client = Client()
    url = f"/assessments/respond/{token}/?page=2"
    warned = client.post(url, {"action": "next"})
    page = warned.content.decode()
    # A warning, not an error: the page is shown again with a way on.
    assert warned.status_code == 200 and 'id="blank-warning"' in page
    assert "You have not answered any statement on this page" in page
    assert "govuk-error-summary" not in page and "Continue without answering" in page
    onward = client.post(url, {"action": "next", "blank_ok": "1"})
    assert onward.status_code == 302 and onward["Location"].endswith("?page=3")
    # Saving for later never warns.
    assert client.post(url, {"action": "save"}).status_code == 302


def test_the_survey_all_on_one_page(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    framework = found.framework.framework
    client = Client()
    url = f"/assessments/respond/{token}/?page=all"
    page = client.get(url).content.decode()
    assert page.count('value="na"') == len(framework.items)
    onward = client.post(url, {"action": "next", **{f"item_{i}": "3" for i in framework.item_ids}})
    assert onward["Location"].endswith("?page=check")
    assert set(Response.objects.get().answers.values()) == {3}
    assert not Response.objects.get().submitted


def test_the_respondent_s_pages_ask_for_a_plain_header(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    client = Client()
    for suffix in ("", "?page=1", "?page=check"):
        response = client.get(f"/assessments/respond/{token}/{suffix}")
        assert response.context["plain_header"] is True, suffix


def test_closed_and_unknown_links(collaboration: Any) -> None:
    import datetime as dt

    found = make_round(collaboration, opens_on=dt.date(2020, 1, 1), closes_on=dt.date(2020, 2, 1))
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    closed = Client().get(f"/assessments/respond/{token}/?page=1")
    assert closed.status_code == 410 and b"This survey has closed" in closed.content
    refused = Client().post(f"/assessments/respond/{token}/?page=check", {"action": "submit"})
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
    scores = [r for r in rows if r["measure"] != "count"]
    overall = [r for r in scores if r["breakdown"] == "overall"]
    if count < 5:
        # One panel says why and how far, and no table or chart frame is drawn.
        panel = page.split('id="threshold-panel"')[1].split("</div>")[0]
        assert (
            "Results appear when at least 5 people have answered, so that nobody can be "
            "identified: 4 of 5 so far." in panel
        )
        assert "A frank comment" not in page
        assert "<table" not in page and "data-accord-chart" not in page
        assert all(r["mean"] == "" and r["note"] == "fewer than 5 responses" for r in scores)
    else:
        assert 'id="threshold-panel"' not in page
        assert "A frank comment" in page
        assert 'id="round-factors-table"' in page and "Borderline" in page
        assert all(r["mean"] != "" for r in overall)
        assert {r["group"] for r in scores if r["breakdown"] == "organisation"} == {"RX9"}
    total = [r for r in rows if r["measure"] == "count" and r["id"] == "responses"]
    assert total[0]["breakdown"] == "overall" and total[0]["n"] == str(count)


def test_k_follows_the_setting(collaboration: Any, colleague: Any, settings: Any) -> None:
    settings.DISCLOSURE_THRESHOLD = 8
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 6})
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert "Results appear when at least 8 people have answered" in page
    assert "6 of 8 so far" in page


def test_a_small_organisation_is_withheld_and_so_is_the_one_it_could_be_subtracted_from(
    collaboration: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 6, ("E31000025", "strategic"): 2})
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    # Lincolnshire has 2; East Midlands' 6 with the total's 8 would give those 2 away.
    assert 'id="breakdown-organisation"' not in page  # no table of dashes
    none = page.split('id="breakdown-organisation-none"')[1].split("</p>")[0]
    assert "Lincolnshire Fire and Rescue (fewer than 5 responses)" in none
    assert "East Midlands Ambulance Service NHS Trust (suppressed to protect another group)" in none
    rates = page.split('id="rates-organisation"')[1].split("</table>")[0]
    assert "fewer than 5" in rates and "suppressed to protect another group" in rates
    assert ">6<" not in rates and ">2<" not in rates
    assert 'id="response-count">8<' in page  # the total is always shown
    xlsx = _client(colleague).get(f"/assessments/rounds/{found.pk}/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    column = {name: header.index(name) for name in ("group", "measure", "id", "n", "mean", "note")}

    def rows_of(code: str, measure: str) -> list[Any]:
        return [
            r for r in values[1:] if r[column["group"]] == code and r[column["measure"]] == measure
        ]

    lincs = rows_of("E31000025", "factor")
    assert lincs and all(r[column["mean"]] is None for r in lincs)
    assert all(r[column["note"]] == "fewer than 5 responses" for r in lincs)
    emas = rows_of("RX9", "factor")
    assert emas and all(r[column["note"]] == "suppressed to protect another group" for r in emas)
    counts = {
        (r[column["group"]], r[column["id"]]): (r[column["n"]], r[column["note"]])
        for r in values[1:]
        if r[column["measure"]] == "count"
    }
    assert counts[("all", "responses")] == (8, None)
    assert counts[("E31000025", "responses")] == (None, "fewer than 5")
    assert counts[("RX9", "responses")] == (None, "suppressed to protect another group")


def test_a_level_is_shown_where_no_smaller_group_follows_from_it(
    collaboration: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    add_responses(
        found,
        {("RX9", "tactical"): 3, ("RX9", "operational"): 3, ("E31000025", "strategic"): 6},
    )
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    by_level = page.split('id="breakdown-level"')[1].split("</table>")[0]
    # Tactical and operational (3 each) are withheld; together they are East Midlands' 6,
    # which tells neither apart, so strategic and both organisations are shown.
    assert "6 responses" in by_level and "fewer than 5 responses" in by_level
    by_org = page.split('id="breakdown-organisation"')[1].split("</table>")[0]
    assert by_org.count("6 responses") == 2
    rates = page.split('id="rates-level"')[1].split("</table>")[0]
    assert rates.count("fewer than 5") == 2


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
    assert "Over time: Collaboration enablers, barriers and the three Cs" in page
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
    # The means are withheld; the count is the round's total, shown in the list of rounds too.
    assert "fewer than 5 responses" in table
    assert page.split('id="rounds"')[1].split("data-responses>")[1].startswith("3")


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


def test_the_index_makes_as_many_queries_for_many_rounds_as_for_few(
    collaboration: Any, colleague: Any
) -> None:
    client = _client(colleague)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/assessments/").status_code == 200
        return len(ctx.captured_queries)

    first = make_round(collaboration, title="First")
    add_responses(first, {("RX9", "tactical"): 5})
    invite(first, [("a@emas.test", "RX9", "tactical")])
    few = queries()
    for number in range(5):
        more = make_round(collaboration, title=f"More {number}")
        add_responses(more, {("RX9", "tactical"): 6, ("E31000025", "strategic"): 3})
        invite(more, [(f"b{number}@emas.test", "RX9", "tactical")])
    assert queries() == few
