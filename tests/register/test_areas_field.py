"""The collaboration form's areas are chosen as its organisations are (issue 11): grouped
checkboxes by kind without JavaScript, the accessible autocomplete with "add another" with it
(tests/browser/test_areas_browser.py), and a typed code or name matched as the register's place
filter matches it, anything else refused with "did you mean". No "Hold Ctrl"."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client
from tests.register.helpers import edit_data, form_data

from accord.core.forms import PlainTextForm
from accord.core.widgets import AreaChoiceField
from accord.orgs import services
from accord.orgs.models import Area
from accord.register.forms import CollaborationForm
from accord.register.models import Collaboration

pytestmark = pytest.mark.django_db

LINCS_POLICE_AREA = "E23000020"
LINCS_FIRE_AREA = "E31000025"
PRODUCT = Path(__file__).resolve().parents[2] / "src" / "accord"


@pytest.fixture(autouse=True)
def places() -> int:
    return services.load_reference_areas(actor="test")


def chosen(sent: list[str]) -> list[str]:
    form = CollaborationForm(form_data(areas=sent))
    assert form.is_valid(), form.errors
    return [area.code for area in form.cleaned_data["areas"]]


def refusal(sent: list[str]) -> list[str]:
    form = CollaborationForm(form_data(areas=sent))
    assert not form.is_valid()
    return [str(message) for message in form.errors["areas"]]


def areas_html(form: CollaborationForm) -> str:
    return render_to_string("includes/field.html", {"field": form["areas"]})


# What the form makes of what is sent -------------------------------------------------------


@pytest.mark.parametrize("sent", [LINCS_POLICE_AREA, "e23000020", f"  {LINCS_POLICE_AREA} "])
def test_an_area_is_chosen_by_its_code_in_any_case(sent: str) -> None:
    assert chosen([sent]) == [LINCS_POLICE_AREA]


def test_an_area_is_chosen_by_its_name_in_any_case_and_with_and_or_an_ampersand() -> None:
    assert chosen(["devon & cornwall"]) == chosen(["Devon and Cornwall"]) == ["E23000035"]
    assert chosen(["Avon and Somerset"]) == ["E23000036"]


def test_a_name_two_areas_share_chooses_both_as_the_place_filter_finds_both() -> None:
    # Lincolnshire is a police force area and a fire and rescue authority area.
    assert sorted(chosen(["LINCOLNSHIRE"])) == [LINCS_POLICE_AREA, LINCS_FIRE_AREA]


def test_areas_are_kept_in_the_order_sent_each_once() -> None:
    assert chosen([LINCS_FIRE_AREA, "Devon and Cornwall", "e31000025"]) == [
        LINCS_FIRE_AREA,
        "E23000035",
    ]


def test_an_unknown_area_is_refused_with_did_you_mean() -> None:
    (message,) = refusal(["Lincs"])
    assert message == (
        "No area matches “Lincs”. Did you mean Lincolnshire (police force area, E23000020) "
        "or Lincolnshire (fire and rescue authority area, E31000025)?"
    )
    assert refusal(["Nowhere at all"]) == ["No area matches “Nowhere at all”."]


def test_a_district_is_not_an_area_a_collaboration_is_recorded_in() -> None:
    district = Area.objects.create(code="E07000136", name="Boston", kind="district")
    (message,) = refusal([district.code])
    assert message.startswith("No area matches “E07000136”.")


def test_the_refusal_is_on_the_page_and_in_its_error_summary(client: Client, owner: Any) -> None:
    client.force_login(owner)
    response = client.post("/collaborations/new/", form_data(areas=["Lincs"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "No area matches “Lincs”. Did you mean Lincolnshire (police force area" in page
    assert '<a href="#id_areas">' in page
    assert not Collaboration.objects.exists()


def test_areas_chosen_by_code_and_name_are_saved_and_shown_chosen_when_edited(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    data = form_data(areas=["Devon & Cornwall", LINCS_FIRE_AREA])
    assert client.post("/collaborations/new/", data).status_code == 302
    c = Collaboration.objects.get()
    assert sorted(a.code for a in c.areas.all()) == ["E23000035", LINCS_FIRE_AREA]
    page = client.get(f"/collaborations/{c.reference}/edit/").content.decode()
    assert re.search(rf'name="areas" value="{LINCS_FIRE_AREA}"[^>]* checked', page)
    assert re.search(r'name="areas" value="E23000035"[^>]* checked', page)
    # An edit that leaves the areas alone keeps them (a script sending the ids does too).
    assert client.post(f"/collaborations/{c.reference}/edit/", edit_data(c)).status_code == 302
    assert sorted(a.code for a in c.areas.all()) == ["E23000035", LINCS_FIRE_AREA]


def test_one_area_by_a_name_two_areas_share_is_refused_with_the_choice_between_them() -> None:
    class PlaceForm(PlainTextForm):
        area = AreaChoiceField(label="Area", queryset=Area.objects.all())

    assert PlaceForm({"area": "e31000025"}).is_valid()
    form = PlaceForm({"area": "Lincolnshire"})
    assert form.errors["area"] == [
        "“Lincolnshire” is more than one area: choose Lincolnshire (police force area, "
        "E23000020) or Lincolnshire (fire and rescue authority area, E31000025)"
    ]
    assert PlaceForm({"area": ""}).errors["area"] == ["Select an area"]
    assert '<option value="">Choose an area</option>' in str(PlaceForm()["area"])


# What the page shows -----------------------------------------------------------------------


def test_without_javascript_areas_are_checkboxes_grouped_by_kind_with_their_labels() -> None:
    police = Area.objects.get(code=LINCS_POLICE_AREA)
    html = areas_html(CollaborationForm(initial={"areas": [police]}))
    assert "Hold Ctrl" not in html and "<select" not in html
    assert (
        '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">Areas (optional)'
        "</legend>" in html
    )
    groups = re.findall(r"<details[^>]*>\s*<summary[^>]*>\s*<span[^>]*>([^<]+)</span>", html)
    assert groups == ["Police force areas (43)", "Fire and rescue authority areas (47)"]
    # The group holding a chosen area is open; the other closed.
    assert re.search(r"<details[^>]* open>\s*<summary[^>]*>\s*<span[^>]*>Police force", html)
    assert not re.search(r"<details[^>]* open>\s*<summary[^>]*>\s*<span[^>]*>Fire", html)
    labels = re.findall(r'<label class="govuk-label govuk-checkboxes__label"[^>]*>([^<]+)<', html)
    assert "Lincolnshire (police force area, E23000020)" in labels
    assert "Lincolnshire (fire and rescue authority area, E31000025)" in labels
    assert re.search(rf'value="{LINCS_POLICE_AREA}"[^>]* checked', html)
    assert not re.search(rf'value="{LINCS_FIRE_AREA}"[^>]* checked', html)
    assert "Chosen: Lincolnshire (police force area, E23000020)" in html
    # The hook organisations.js enhances, saying what is chosen.
    assert (
        'data-accord-organisations="many" data-accord-id="id_areas" data-accord-noun="area" '
        'data-accord-plural="areas"' in html
    )


def test_the_collaboration_page_has_the_areas_picker_and_no_multi_select(
    client: Client, owner: Any
) -> None:
    client.force_login(owner)
    page = client.get("/collaborations/new/").content.decode()
    assert 'data-accord-id="id_areas"' in page
    assert "<select multiple" not in page and " multiple" not in page.split("<form")[1]


def test_no_page_template_script_or_form_says_hold_ctrl() -> None:
    offenders = [
        str(path.relative_to(PRODUCT))
        for path in PRODUCT.rglob("*")
        if path.suffix in {".html", ".py", ".js", ".md", ".txt"}
        and "build" not in path.parts
        and re.search(r"hold\s+(down\s+)?(ctrl|control|cmd|command)", path.read_text("utf-8"), re.I)
    ]
    assert offenders == []
