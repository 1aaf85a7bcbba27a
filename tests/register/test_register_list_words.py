"""Plain words on the register's list and record pages: references made of words, the
record's title in its breadcrumbs, its history as sentences, and no repository paths or
command names where a user reads."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.register.helpers import edit_data

from accord.core.actors import SystemActor
from accord.core.audit_words import event_sentence, long_date
from accord.register.references import readable_reference, reference_words
from accord.register.services import FIELD_LABELS

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "accord" / "register" / "templates"
DAY = dt.datetime(2026, 12, 2, 15, 4)


# References -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Joint Ambulance Conveyance Project", "JOINT-AMBULANCE-CONVEYANCE"),
        ("Co-responding pilot", "CO-RESPONDING"),
        ("The H3 partnership", "H3-PARTNERSHIP"),
        ("Llanelli Fire Station – Ambulance Hub", "LLANELLI-FIRE-STATION"),
        ("Pilot", "PILOT"),  # only minor words: kept rather than nothing
        ("!!!", "COLLABORATION"),
        ("Supercalifragilisticexpialidocious collaboration", "SUPERCALIFRAGILISTICEXPIAL"),
    ],
)
def test_a_reference_is_made_of_the_titles_first_telling_words(title: str, words: str) -> None:
    assert reference_words(title) == words


def test_a_reference_takes_the_first_free_number_and_fits_32_characters() -> None:
    taken = {"JOINT-AMBULANCE-CONVEYANCE-1", "JOINT-AMBULANCE-CONVEYANCE-2"}
    made = readable_reference("Joint Ambulance Conveyance Project", taken.__contains__)
    assert made == "JOINT-AMBULANCE-CONVEYANCE-3"
    long = readable_reference("Extraordinarily long words everywhere here", lambda _: False)
    assert len(long) <= 32 and re.fullmatch(r"[A-Z0-9-]+", long)


@pytest.mark.django_db
def test_a_collaboration_added_without_a_reference_gets_a_readable_one(
    make_collaboration: Any,
) -> None:
    first = make_collaboration("Joint Ambulance Conveyance Project")
    second = make_collaboration("Joint ambulance conveyance project, phase two")
    assert first.reference == "JOINT-AMBULANCE-CONVEYANCE-1"
    assert second.reference == "JOINT-AMBULANCE-CONVEYANCE-2"


@pytest.mark.django_db
def test_a_given_reference_is_kept_and_an_edit_never_changes_one(
    client: Client, make_collaboration: Any, owner: Any
) -> None:
    kept = make_collaboration("Joint Ambulance Conveyance Project", reference="JACP")
    assert kept.reference == "JACP"
    client.force_login(owner)
    response = client.post(
        f"/collaborations/{kept.reference}/edit/", edit_data(kept, title="Quite another title")
    )
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.title, kept.reference) == ("Quite another title", "JACP")


# History in words -------------------------------------------------------------------------------


def test_an_added_record_is_a_sentence_naming_the_person_and_the_day() -> None:
    assert (
        event_sentence(
            action="collaboration.create",
            object_type="register.collaboration",
            actor_label="jo@lincs-fire.test",
            actor_name="Jo Bloggs",
            at=DAY,
        )
        == "Collaboration added by Jo Bloggs on 2 December 2026"
    )


def test_a_change_names_the_fields_it_changed_as_the_form_calls_them() -> None:
    sentence = event_sentence(
        action="collaboration.update",
        object_type="register.collaboration",
        actor_label="jo@lincs-fire.test",
        at=DAY,
        before={"title": "Old", "status": "idea", "version": 1, "summary": "Same"},
        after={"title": "New", "status": "operational", "version": 2, "summary": "Same"},
        labels=FIELD_LABELS,
    )
    assert sentence == "Title and status changed by jo@lincs-fire.test on 2 December 2026"


def test_a_change_of_many_fields_names_two_and_counts_the_rest() -> None:
    before = {"title": "a", "summary": "a", "status": "idea", "board": "a"}
    after = {"title": "b", "summary": "b", "status": "operational", "board": "b"}
    sentence = event_sentence(
        action="collaboration.update",
        object_type="register.collaboration",
        actor_label="system (command line)",
        at=DAY,
        before=before,
        after=after,
        labels=FIELD_LABELS,
    )
    assert (
        sentence
        == "Title, summary and 2 other details changed from the command line on 2 December 2026"
    )


@pytest.mark.parametrize(
    ("action", "words"),
    [
        ("collaboration.archive", "Collaboration archived by the demo loader on 2 December 2026"),
        ("collaboration.restore", "Collaboration restored by the demo loader on 2 December 2026"),
        ("collaboration.update", "Collaboration changed by the demo loader on 2 December 2026"),
        (
            "collaboration.frobnicate",
            "Collaboration frobnicate by the demo loader on 2 December 2026",
        ),
    ],
)
def test_other_events_are_sentences_too(action: str, words: str) -> None:
    assert (
        event_sentence(
            action=action,
            object_type="register.collaboration",
            actor_label="demo loader",
            at=DAY,
        )
        == words
    )


def test_dates_are_written_as_gov_uk_writes_them() -> None:
    assert long_date(dt.date(2027, 1, 9)) == "9 January 2027"


@pytest.mark.django_db
def test_the_records_history_is_sentences_with_the_editors_name(
    client: Client, make_collaboration: Any, owner: Any
) -> None:
    owner.first_name, owner.last_name = "Jo", "Bloggs"
    from accord.orgs import services as orgs

    orgs.save_person(owner, actor=SystemActor("test"), created=False)
    made = make_collaboration("Joint response pilot")
    client.force_login(owner)
    client.post(f"/collaborations/{made.reference}/edit/", edit_data(made, status="closed"))
    page = client.get(f"/collaborations/{made.reference}/").content.decode()
    history = page[page.index('id="history"') :]
    assert "Status changed by Jo Bloggs on " in history
    assert "Collaboration added by test on " in history
    assert "collaboration.update" not in page and "collaboration.create" not in page


@pytest.mark.django_db
def test_a_reader_sees_no_history(client: Client, collaboration: Any, colleague: Any) -> None:
    client.force_login(colleague)
    page = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert 'id="history"' not in page


# Titles, not codes; help, not repository paths -----------------------------------------------


@pytest.mark.django_db
def test_the_records_breadcrumbs_end_with_its_title(
    client: Client, make_collaboration: Any
) -> None:
    made = make_collaboration("Joint response pilot", visibility="public")
    page = client.get(f"/collaborations/{made.reference}/").content.decode()
    start = page.index('class="govuk-breadcrumbs"')
    crumbs = page[start : page.index("</nav>", start)]
    assert (
        '<li class="govuk-breadcrumbs__list-item" aria-current="page">Joint response pilot</li>'
        in crumbs
    )
    assert made.reference not in crumbs.split("Collaborations</a>")[1]


@pytest.mark.django_db
def test_the_service_mix_links_to_its_help_page(client: Client, make_collaboration: Any) -> None:
    made = make_collaboration("Joint response pilot", visibility="public")
    for url in ("/collaborations/", f"/collaborations/{made.reference}/"):
        page = client.get(url).content.decode()
        assert 'href="/help/service-mix/"' in page, url
    assert client.get("/help/service-mix/").status_code == 200


REPOSITORY_WORDS = re.compile(
    r"\baccord (import|export|demo|serve|bench|user|notify)\b|\.py\b|docs/"
)


def test_no_register_template_names_a_repository_path_or_a_command() -> None:
    for template in TEMPLATES.rglob("*.html"):
        text = re.sub(
            r"\{#.*?#\}|\{% comment %\}.*?\{% endcomment %\}", "", template.read_text(), flags=re.S
        )
        assert not REPOSITORY_WORDS.search(text), template.name


@pytest.mark.django_db
def test_the_list_and_record_pages_name_no_repository_path_or_command(
    client: Client, make_collaboration: Any, owner: Any
) -> None:
    made = make_collaboration("Joint response pilot", visibility="public")
    client.force_login(owner)
    for url in (
        "/collaborations/",
        "/collaborations/?place=Nowhere",
        f"/collaborations/{made.reference}/",
    ):
        text = re.sub(r"<[^>]+>", " ", client.get(url).content.decode())
        assert not REPOSITORY_WORDS.search(text), url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (True, "Written collaboration agreement"),
        (False, "No written collaboration agreement"),
        (None, "Not known whether there is a written collaboration agreement"),
    ],
)
def test_the_record_says_what_is_known_of_its_agreement(
    client: Client, make_collaboration: Any, answer: bool | None, words: str
) -> None:
    made = make_collaboration(
        "Joint response pilot", visibility="public", has_written_agreement=answer
    )
    page = client.get(f"/collaborations/{made.reference}/").content.decode()
    governance = page[page.index(">Governance<") :].split("</div>")[0]
    assert f">{words}</dd>" in governance, governance
