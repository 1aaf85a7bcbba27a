"""Two people editing one collaboration at once (issue 11, "Nothing lost"): the second save is
refused and merged, so that both people's work is kept and nothing anyone did not touch is put
back."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.register.helpers import edit_data, page_data

pytestmark = pytest.mark.django_db


def _opened(user: Any, url: str) -> tuple[Client, Any]:
    """A person with the edit page open: their browser and the form it shows."""
    browser = Client()
    browser.force_login(user)
    page = browser.get(url)
    assert page.status_code == 200
    return browser, page.context["form"]


def _url(collaboration: Any) -> str:
    return f"/collaborations/{collaboration.reference}/edit/"


def test_two_people_changing_different_fields_both_keep_their_changes(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    url = _url(collaboration)
    first, first_form = _opened(owner, url)
    second, second_form = _opened(partner_user, url)
    saved = first.post(url, page_data(first_form, title="Owner's title", board="Joint board"))
    assert saved.status_code == 302

    response = second.post(url, page_data(second_form, summary="Partner's summary"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not saved: owner@lincs-fire.test changed this after you opened it" in page
    assert "Their changes, now in the form" in page and "Your changes, kept in the form" in page
    collaboration.refresh_from_db()
    assert collaboration.summary == "Firefighters respond to medical emergencies."

    # The form holds the record as it is now, plus only what this person changed.
    merged = response.context["form"]
    assert merged["title"].value() == "Owner's title"
    assert merged["board"].value() == "Joint board"
    assert merged["summary"].value() == "Partner's summary"
    assert not [f for f in merged if f.name.startswith("keep__")]  # nothing to choose

    assert second.post(url, page_data(merged)).status_code == 302
    collaboration.refresh_from_db()
    assert collaboration.summary == "Partner's summary"
    # The other person's changes survive the second save: neither put back.
    assert collaboration.title == "Owner's title"
    assert collaboration.board == "Joint board"
    assert collaboration.version == 3


def test_a_field_both_changed_must_be_chosen_and_the_choice_is_saved(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    url = _url(collaboration)
    first, first_form = _opened(owner, url)
    second, second_form = _opened(partner_user, url)
    assert first.post(url, page_data(first_form, title="Owner's title")).status_code == 302
    response = second.post(
        url, page_data(second_form, title="Partner's title", funding_source="Home Office")
    )
    page = response.content.decode()
    assert "You both changed this, so choose which to keep" in page
    # Both values are shown, theirs beside the person's own (which stays in the box).
    merged = response.context["form"]
    choice = merged["keep__title"]
    labels = [str(label) for _, label in choice.field.choices]
    assert labels == ["Yours: Partner's title", "Theirs: Owner's title"]
    assert merged["title"].value() == "Partner's title"
    assert choice.value() is None  # nothing chosen for them

    # Saving without choosing is refused and saves nothing.
    refused = second.post(url, page_data(merged))
    assert refused.status_code == 200
    assert "Choose whether to keep your title or theirs" in refused.content.decode()
    collaboration.refresh_from_db()
    assert collaboration.title == "Owner's title" and collaboration.funding_source == ""

    # Keeping theirs saves theirs, and the person's other change with it.
    kept = second.post(url, page_data(refused.context["form"], keep__title="theirs"))
    assert kept.status_code == 302
    collaboration.refresh_from_db()
    assert collaboration.title == "Owner's title"
    assert collaboration.funding_source == "Home Office"


def test_keeping_yours_saves_what_is_in_the_box_edited_or_not(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    url = _url(collaboration)
    first, first_form = _opened(owner, url)
    second, second_form = _opened(partner_user, url)
    first.post(url, page_data(first_form, title="Owner's title"))
    response = second.post(url, page_data(second_form, title="Partner's title"))
    merged = response.context["form"]
    saved = second.post(url, page_data(merged, title="A title we agreed", keep__title="mine"))
    assert saved.status_code == 302
    collaboration.refresh_from_db()
    assert collaboration.title == "A title we agreed"


def test_a_field_neither_touched_keeps_the_other_persons_value(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    url = _url(collaboration)
    first, first_form = _opened(owner, url)
    second, second_form = _opened(partner_user, url)
    # The first person adds a supporter, a partner organisation and an agreement.
    first.post(
        url,
        page_data(first_form, supporters=["E23000030"], has_written_agreement="yes"),
    )
    response = second.post(url, page_data(second_form, notes="Met in March"))
    second.post(url, page_data(response.context["form"]))
    collaboration.refresh_from_db()
    assert collaboration.notes == "Met in March"
    assert collaboration.has_written_agreement is True
    roles = {(p.organisation.code, p.role) for p in collaboration.partners.all()}
    assert ("E23000030", "supporter") in roles


def test_a_page_that_does_not_say_what_it_opened_asks_about_every_difference(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    # A script (or a page from before merging) sends the version only: nothing it sends may
    # silently replace the newer record, and nothing of the newer record is silently lost.
    url = _url(collaboration)
    stale = edit_data(collaboration, summary="Partner's summary")
    first, first_form = _opened(owner, url)
    first.post(url, page_data(first_form, title="Owner's title"))
    second = Client()
    second.force_login(partner_user)
    response = second.post(url, stale)
    merged = response.context["form"]
    assert {f.name for f in merged if f.name.startswith("keep__")} == {
        "keep__title",
        "keep__summary",
    }
    second.post(url, page_data(merged, keep__title="theirs", keep__summary="mine"))
    collaboration.refresh_from_db()
    assert (collaboration.title, collaboration.summary) == ("Owner's title", "Partner's summary")


def test_a_page_whose_record_of_what_it_opened_was_altered_is_not_trusted(
    owner: Any, partner_user: Any, collaboration: Any
) -> None:
    url = _url(collaboration)
    first, first_form = _opened(owner, url)
    second, second_form = _opened(partner_user, url)
    first.post(url, page_data(first_form, title="Owner's title"))
    data = page_data(second_form, summary="Partner's summary")
    data["opened"] = data["opened"][:-2] + "xx"
    merged = second.post(url, data).context["form"]
    assert "keep__title" in merged.fields  # treated as not known: the title must be chosen
