"""One response count, on every page and in every export, under disclosure control.

A round's responses are its submitted answers, whether they came through personal links or
were imported from a file; its invitations are the personal links made; the rate is the
people invited who answered. The total is always shown; each organisation's and level's
count is withheld below k, and so is any count from which a withheld one could be worked out
by subtraction.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import numpy as np
import pytest
from django.test import Client
from tests.assessments.assessment_helpers import add_responses, all_answers, invite, make_round

from accord.assessments import results, services
from accord.assessments.models import Invitation
from accord.assessments.scoring import PROTECTING, SUPPRESSED, count_disclosure

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _a_round_with_all_three_kinds(collaboration: Any) -> Any:
    """7 invited (3 answer through their links), 4 imported: 7 responses, a rate of 43%."""
    found = make_round(collaboration, title="Three kinds")
    tokens = invite(found, [(f"p{i}@emas.test", "RX9", "tactical") for i in range(7)])
    for token in tokens[:3]:
        services.save_answers(token, all_answers(found, 4), submit=True)
    # A draft (saved, never submitted) is no response.
    services.save_answers(tokens[3], all_answers(found, 2))
    add_responses(found, {("E31000025", "strategic"): 4})
    return found


# The one count -----------------------------------------------------------------------------


def test_a_round_with_links_imports_and_drafts_is_counted_one_way(collaboration: Any) -> None:
    found = _a_round_with_all_three_kinds(collaboration)
    counts = results.response_counts([found])[found.pk]
    assert (counts.invited, counts.answered, counts.imported, counts.responses) == (7, 3, 4, 7)
    assert counts.rate == "43%"
    assert counts.summary == "7 responses: 3 of 7 invited answered (43%), 4 imported"
    # The results are computed from the same responses.
    assert results.round_results(found).n == counts.responses


def test_the_index_rounds_page_results_and_export_show_the_same_number(
    collaboration: Any, colleague: Any
) -> None:
    found = _a_round_with_all_three_kinds(collaboration)
    client = _client(colleague)

    index = client.get("/assessments/").content.decode()
    row = index.split(f'data-round="{found.pk}"')[1].split("</tr>")[0]
    assert row.split("data-responses>")[1].startswith("7")
    assert "4 imported" in row and "43%" in row and "3 of 7 invited" in row

    rounds = client.get(f"/assessments/c/{collaboration.reference}/").content.decode()
    row = rounds.split(f'data-round="{found.pk}"')[1].split("</tr>")[0]
    assert row.split("data-responses>")[1].startswith("7") and "43%" in row

    page = client.get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert 'id="response-count">7<' in page
    assert "7 responses: 3 of 7 invited answered (43%), 4 imported" in page

    body = client.get(f"/assessments/rounds/{found.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    totals = {
        r["id"]: r["n"] for r in rows if r["measure"] == "count" and r["breakdown"] == "overall"
    }
    assert totals == {"invited": "7", "answered": "3", "imported": "4", "responses": "7"}
    factor = found.framework.framework.factor_ids[0]
    overall = next(r for r in rows if r["breakdown"] == "overall" and r["id"] == factor)
    assert overall["n"] == "7"

    panel = client.get(f"/collaborations/{collaboration.reference}/").content.decode()
    assert "7 responses: 3 of 7 invited answered (43%), 4 imported" in panel

    owner_page = client.get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert owner_page.count('id="response-count">7<') == 1


def test_the_invitation_list_counts_as_the_results_do(collaboration: Any, owner: Any) -> None:
    found = _a_round_with_all_three_kinds(collaboration)
    page = _client(owner).get(f"/assessments/rounds/{found.pk}/invite/").content.decode()
    answered = page.split('id="answered-count">')[1].split("</p>")[0]
    assert answered.startswith("3 of 7 have answered")
    assert "4 more responses were imported" in answered
    # The links' own flags (what reminders go by) agree with the count.
    assert Invitation.objects.filter(round=found, responded=True).count() == 3


def test_the_demo_s_answers_count_as_answers_to_its_invitations() -> None:
    from accord.assessments.demo import load_demo
    from accord.core.actors import SystemActor
    from accord.register.demo import load_demo_collaborations

    load_demo_collaborations(SystemActor("test"))
    rounds = load_demo(SystemActor("test"))
    counts = results.response_counts(rounds)
    for found in rounds:
        count = counts[found.pk]
        assert count.imported == 0 and count.answered == count.responses > 0
        flagged = Invitation.objects.filter(round=found, responded=True).count()
        assert flagged == count.answered
        assert count.invited > count.answered


# Disclosure control on counts --------------------------------------------------------------


def test_a_count_below_k_is_fewer_than_k_and_the_one_it_follows_from_is_withheld() -> None:
    control = count_disclosure({("A", "strategic"): 8, ("B", "tactical"): 4}, k=5)
    assert control.total == 12
    # B's 4 would follow from 12 - 8: A's count is withheld too.
    assert control.organisations == {"A": PROTECTING, "B": SUPPRESSED}
    assert control.levels == {"strategic": PROTECTING, "tactical": SUPPRESSED}


def test_nobody_answering_somewhere_is_protected_like_a_small_count() -> None:
    # Three invited at B have not answered: B's 0 would follow from 12 - 12.
    control = count_disclosure({("A", "strategic"): 12, ("B", "strategic"): 0}, k=5)
    assert control.organisations == {"A": PROTECTING, "B": SUPPRESSED}
    assert control.levels == {"strategic": 12}


def test_counts_that_give_nothing_away_are_shown() -> None:
    control = count_disclosure(
        {("A", "strategic"): 6, ("A", "tactical"): 6, ("B", "strategic"): 2, ("C", "tactical"): 2},
        k=5,
    )
    assert control.organisations["A"] == 12
    assert control.organisations["B"] == control.organisations["C"] == SUPPRESSED
    assert control.levels == {"strategic": 8, "tactical": 8}


def _attack(shown: dict[str, int], members: dict[str, set[Any]], target: set[Any]) -> int | None:
    """Any combination (coefficients -1, 0, 1) of shown counts whose cells make up exactly the
    target's: the count it gives, or None."""
    cells = sorted(set().union(*members.values()))
    names = list(shown)
    vectors = {n: np.asarray([c in members[n] for c in cells], dtype=float) for n in names}
    goal = np.asarray([c in target for c in cells], dtype=float)
    for coefficients in itertools.product((-1, 0, 1), repeat=len(names)):
        total = sum((c * vectors[n] for c, n in zip(coefficients, names, strict=True)), 0 * goal)
        if any(coefficients) and np.array_equal(total, goal):
            return int(sum(c * shown[n] for c, n in zip(coefficients, names, strict=True)))
    return None


@pytest.mark.parametrize(
    "cells",
    [
        {("A", "strategic"): 8, ("B", "tactical"): 4},
        {("A", "tactical"): 8, ("B", "strategic"): 4, ("C", "tactical"): 6},
        {
            ("A", "strategic"): 5,
            ("A", "tactical"): 5,
            ("B", "tactical"): 3,
            ("C", "operational"): 9,
        },
        {("A", "strategic"): 12, ("B", "strategic"): 0, ("C", "tactical"): 7},
    ],
)
def test_no_withheld_count_can_be_worked_out_by_subtraction(cells: dict[Any, int]) -> None:
    control = count_disclosure(cells, k=5)
    members: dict[str, set[Any]] = {"total": set(cells)}
    values: dict[str, int] = {"total": control.total}
    withheld: list[str] = []
    for by, table, part in (("org", control.organisations, 0), ("level", control.levels, 1)):
        for key, value in table.items():
            name = f"{by}:{key}"
            members[name] = {cell for cell in cells if cell[part] == key}
            if isinstance(value, int):
                values[name] = value
            else:
                withheld.append(name)
    assert withheld
    for name in withheld:
        assert _attack(values, members, members[name]) is None, name


def test_the_round_page_withholds_counts_as_the_figures(collaboration: Any, colleague: Any) -> None:
    found = make_round(collaboration)
    invite(found, [(f"p{i}@emas.test", "RX9", "operational") for i in range(3)])
    add_responses(found, {("E31000025", "strategic"): 9})
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    rates = page.split('id="rates-organisation"')[1].split("</table>")[0]
    # Nobody at East Midlands has answered; Lincolnshire's 9 with the total's 9 would say so.
    assert ">9<" not in rates and "fewer than 5" in rates
    assert "suppressed to protect another group" in rates
    assert 'id="response-count">9<' in page
    # The rule is said where the figures would be.
    assert "No figure or count is shown" in page
    res = results.round_results(found)
    assert [c.protecting for c in res.by_organisation] == [True]


def test_the_api_scores_count_the_invited_cells_too(collaboration: Any) -> None:
    found = make_round(collaboration)
    invite(found, [(f"p{i}@emas.test", "RX9", "operational") for i in range(3)])
    add_responses(found, {("E31000025", "strategic"): 9})
    data = results.round_scores(found, "organisation")
    assert data["overall"]["n"] == 9
    assert data["breakdown"] == {"E31000025": {"suppressed": True}}
    rates = [row.to_dict() for row in results.round_results(found).rates_by_organisation]
    assert {r["label"]: r["responded"] for r in rates} == {
        "East Midlands Ambulance Service NHS Trust": {"suppressed": True},
        "Lincolnshire Fire and Rescue": {"suppressed": True},
    }


# What the pages say ------------------------------------------------------------------------


def test_under_the_threshold_one_panel_says_why_and_how_far(
    collaboration: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    tokens = invite(found, [(f"p{i}@emas.test", "RX9", "tactical") for i in range(5)])
    services.save_answers(tokens[0], all_answers(found), submit=True)
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert (
        "Results appear when at least 5 people have answered, so that nobody can be "
        "identified: 1 of 5 so far (5 invited)." in page
    )
    assert page.count("govuk-inset-text") == 1
    assert "<table" not in page and "data-accord-chart" not in page
    assert 'id="comments"' not in page and 'id="response-rates"' not in page


def test_a_factor_answered_by_fewer_than_the_round_says_so(
    collaboration: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    framework = found.framework.framework
    add_responses(found, {("RX9", "tactical"): 6, ("E31000025", "strategic"): 6})
    # Two more answer everything but the first factor ("Not applicable" throughout).
    first = framework.factors[0]
    rows = [
        services.ImportedResponse(
            line=0,
            organisation=found.collaboration.partners.get(organisation__code="RX9").organisation,
            level="tactical",
            answers={**all_answers(found, 4), **{item.id: None for item in first.items}},
        )
        for _ in range(2)
    ]
    from tests.assessments.assessment_helpers import ACTOR

    services.add_responses(ACTOR, found, rows)
    page = _client(colleague).get(f"/assessments/rounds/{found.pk}/").content.decode()
    said = page.split('id="fewer-answered">')[1].split("</p>")[0]
    assert f"{first.title} was answered by 12 of the 14" in said
    table = page.split('id="round-factors-table"')[1].split("</table>")[0]
    assert "12 of 14" in table


def test_the_index_shows_n_beside_every_share(collaboration: Any, colleague: Any) -> None:
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 6}, value=4)
    page = _client(colleague).get("/assessments/").content.decode()
    prevalence = page.split('id="barrier-prevalence-table"')[1].split("</table>")[0]
    assert "100% (1 of 1)" in prevalence
