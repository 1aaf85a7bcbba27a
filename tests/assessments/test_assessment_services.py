"""Frameworks, rounds, invitations, answering through links and importing responses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from tests.assessments.assessment_helpers import (
    ACTOR,
    add_responses,
    all_answers,
    framework_version,
    invite,
    make_round,
)

from accord.assessments import importers, services
from accord.assessments.models import FrameworkVersion, Invitation, Response
from accord.core.actors import SystemActor
from accord.core.problems import NotVisible, Problems
from accord.orgs.models import Organisation

pytestmark = pytest.mark.django_db


# Frameworks --------------------------------------------------------------------------------


def test_shipped_frameworks_load_once_and_idempotently() -> None:
    services.load_shipped_frameworks(ACTOR)
    services.load_shipped_frameworks(ACTOR)
    keys = sorted(FrameworkVersion.objects.values_list("key", "version"))
    assert keys == [
        ("collaboration-factors", 1),
        ("collaboration-factors", 2),
        ("jesip-interoperability", 1),
        ("jesip-interoperability", 2),
    ]
    for row in FrameworkVersion.objects.filter(key="collaboration-factors"):
        assert len(row.framework.factors) == 13


def _yaml(version: int = 2, title: str = "Tiny") -> str:
    return f"""
id: tiny
version: {version}
title: {title}
scale: {{min: 1, max: 5, labels: [SD, D, N, A, SA]}}
groups: []
factors:
  - id: f1
    kind: enabler
    title: One
    items:
      - {{id: i1, text: "A statement."}}
"""


def test_a_platform_admin_adds_a_framework_and_a_new_version(
    platform_admin: Any, collaboration: Any
) -> None:
    row, outcome = services.add_framework(platform_admin, _yaml(1), "tiny.yaml")
    assert outcome == "created" and row.version == 1
    # Not yet used: it may be corrected in place.
    row, outcome = services.add_framework(platform_admin, _yaml(1, "Tiny, corrected"), "tiny.yaml")
    assert outcome == "updated" and row.title == "Tiny, corrected"
    make_round(collaboration, key="tiny")
    with pytest.raises(services.FrameworkRefused) as refused:
        services.add_framework(platform_admin, _yaml(1, "Changed again"), "tiny.yaml")
    assert "already used by an assessment round" in refused.value.errors[0]
    assert "version (for example to 2)" in refused.value.errors[0]
    assert FrameworkVersion.objects.get(key="tiny", version=1).title == "Tiny, corrected"
    row, outcome = services.add_framework(platform_admin, _yaml(2, "Tiny two"), "tiny.yaml")
    assert outcome == "created"
    assert FrameworkVersion.objects.filter(key="tiny").count() == 2


def test_a_bad_framework_names_every_problem(platform_admin: Any) -> None:
    bad = _yaml(1).replace("kind: enabler", "kind: helper").replace("version: 1", "version: 0")
    with pytest.raises(services.FrameworkRefused) as refused:
        services.add_framework(platform_admin, bad, "bad.yaml")
    text = "\n".join(refused.value.errors)
    assert "bad.yaml: version: must be at least 1" in text
    assert "bad.yaml: factors[0].kind: must be one of enabler, barrier, principle" in text
    with pytest.raises(services.FrameworkRefused) as broken:
        services.add_framework(platform_admin, "id: [unclosed", "broken.yaml")
    assert "not valid YAML" in broken.value.errors[0]


def test_only_platform_admins_add_frameworks(owner: Any) -> None:
    with pytest.raises(services.PermissionRefused):
        services.add_framework(owner, _yaml(1), "tiny.yaml")


# Rounds and invitations --------------------------------------------------------------------


def test_rounds_need_an_editor(
    collaboration: Any, owner: Any, colleague: Any, outsider: Any
) -> None:
    today = timezone.localdate()
    data = services.RoundData(
        title="R",
        framework=framework_version(),
        opens_on=today,
        closes_on=today + dt.timedelta(days=14),
    )
    assert services.create_round(owner, collaboration, data).pk
    for refused in (colleague, outsider):
        with pytest.raises(services.PermissionRefused):
            services.create_round(refused, collaboration, data)


def test_invitations_keep_only_a_hash_of_the_token(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("Person@EMAS.test", "RX9", "tactical")])
    invitation = Invitation.objects.get()
    assert invitation.email == "person@emas.test"
    assert invitation.token_hash == services.invitation_hash(token)
    assert token not in invitation.token_hash
    assert len(token) >= 43


def test_inviting_refuses_repeats_and_organisations_that_are_not_partners(
    collaboration: Any,
) -> None:
    found = make_round(collaboration)
    invite(found, [("a@emas.test", "RX9", "tactical")])
    with pytest.raises(Problems) as failed:
        invite(
            found,
            [
                ("a@emas.test", "RX9", "tactical"),
                ("b@hants.test", "E23000030", "strategic"),
                ("c@emas.test", "RX9", "tactical"),
            ],
        )
    text = "\n".join(failed.value.problems)
    assert "a@emas.test is already invited" in text
    assert "is not a partner of this collaboration" in text
    assert Invitation.objects.count() == 1


def test_invitation_file_is_all_or_nothing_with_row_and_column(collaboration: Any) -> None:
    partners = [p.organisation for p in collaboration.partners.all()]
    good = (
        b"email,organisation,level\na@emas.test,RX9,Tactical\n"
        b"b@lincs.test,Lincolnshire Fire and Rescue,strategic\n"
    )
    invitees = importers.parse_invitation_file(good, "people.csv", partners)
    assert [(i.email, i.organisation.code, i.level) for i in invitees] == [
        ("a@emas.test", "RX9", "tactical"),
        ("b@lincs.test", "E31000025", "strategic"),
    ]
    bad = (
        b"email,organisation,level\nnot-an-email,RX9,tactical\nb@x.test,E23000030,strategic\n"
        b"c@x.test,RX9,senior\nc@x.test,RX9,tactical\n"
    )
    with pytest.raises(importers.ImportFailed) as failed:
        importers.parse_invitation_file(bad, "people.csv", partners)
    problems = failed.value.problems
    assert "Row 2, column email: 'not-an-email' is not an email address" in problems
    assert any(
        p.startswith("Row 3, column organisation: 'E23000030' is not a partner") for p in problems
    )
    assert any(p.startswith("Row 4, column level: 'senior' is not a level") for p in problems)
    assert "Row 5, column email: c@x.test repeats row 4" in problems
    with pytest.raises(importers.ImportFailed) as header:
        importers.parse_invitation_file(b"mail,org\nx,y\n", "people.csv", partners)
    assert header.value.problems == ["Row 1: missing column(s) email, organisation, level"]


# Answering ---------------------------------------------------------------------------------


def test_one_response_per_link_edited_until_the_round_closes(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    first = services.save_answers(token, {"sv1": 2})
    assert not first.submitted
    services.save_answers(token, {"sv2": 5})
    services.save_answers(token, {"sv1": 4}, comment="Better now", submit=True)
    again = services.save_answers(token, {"sv1": 3}, submit=True)
    assert Response.objects.count() == 1
    response = Response.objects.get()
    assert response.pk == first.pk == again.pk
    assert response.answers == {"sv1": 3, "sv2": 5}
    assert response.comment == "Better now" and response.submitted
    # After it closes, nothing more.
    with pytest.raises(services.RoundClosed):
        services.save_answers(token, {"sv1": 1}, today=found.closes_on + dt.timedelta(days=1))
    assert Response.objects.get().answers["sv1"] == 3


def test_a_closed_or_unopened_round_refuses_answers(collaboration: Any) -> None:
    today = dt.date(2026, 6, 1)
    found = make_round(collaboration, opens_on=dt.date(2026, 3, 1), closes_on=dt.date(2026, 3, 31))
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    with pytest.raises(services.RoundClosed):
        services.save_answers(token, all_answers(found), submit=True, today=today)
    with pytest.raises(services.RoundClosed):
        services.save_answers(token, all_answers(found), today=dt.date(2026, 2, 1))
    assert Response.objects.count() == 0


def test_unknown_tokens_and_bad_answers_are_refused(collaboration: Any) -> None:
    found = make_round(collaboration)
    (token,) = invite(found, [("a@emas.test", "RX9", "tactical")])
    with pytest.raises(NotVisible):
        services.save_answers("not-a-token", {})
    with pytest.raises(ValueError, match="outside the scale"):
        services.save_answers(token, {"sv1": 9})
    with pytest.raises(ValueError, match="not a statement"):
        services.save_answers(token, {"nope": 3})


# Importing responses -----------------------------------------------------------------------


def _export(found: Any, rows: list[list[str]], header_for: dict[str, str] | None = None) -> bytes:
    framework = found.framework.framework
    header_for = header_for or {}
    header = ["ID", "Start time", "Your organisation", "Your level", "Comments"] + [
        header_for.get(item.id, item.text) for item in framework.items
    ]
    lines = [",".join(f'"{h}"' for h in header)]
    for row in rows:
        lines.append(",".join(f'"{c}"' for c in row))
    return ("\n".join(lines) + "\n").encode()


def _mapping(**items: str) -> importers.Mapping_:
    return importers.Mapping_(
        organisation="Your organisation", level="Your level", comment="Comments", items=items
    )


def test_importing_a_forms_export_with_text_answers(collaboration: Any) -> None:
    found = make_round(collaboration)
    n = len(found.framework.framework.items)
    partners = [p.organisation for p in collaboration.partners.all()]
    rows = [
        ["1", "2026-03-02 10:00", "RX9", "Tactical", "Good", *(["Agree"] * (n - 1)), "4"],
        [
            "2",
            "2026-03-02 11:00",
            "Lincolnshire Fire and Rescue",
            "strategic",
            "",
            *(["Not applicable"] * n),
        ],
    ]
    parsed = importers.parse_response_file(
        _export(found, rows), "forms.csv", found.framework.framework, _mapping(), partners
    )
    assert [p.organisation.code for p in parsed] == ["RX9", "E31000025"]
    assert set(parsed[0].answers.values()) == {4}
    assert set(parsed[1].answers.values()) == {None}
    services.add_responses(ACTOR, found, parsed)
    assert Response.objects.filter(round=found, submitted=True, source="import").count() == 2


def test_importing_with_a_mapping_of_columns(collaboration: Any) -> None:
    found = make_round(collaboration)
    framework = found.framework.framework
    headers = {item.id: f"Q{i + 1}" for i, item in enumerate(framework.items)}
    partners = [p.organisation for p in collaboration.partners.all()]
    data = _export(found, [["1", "x", "RX9", "operational", "", *(["5"] * len(headers))]], headers)
    mapping_csv = ("item,column\n" + "\n".join(f"{k},{v}" for k, v in headers.items())).encode()
    parsed = importers.parse_response_file(
        data, "smart.csv", framework, _mapping(**importers.parse_mapping_csv(mapping_csv)), partners
    )
    assert set(parsed[0].answers.values()) == {5}
    with pytest.raises(importers.ImportFailed) as failed:
        importers.parse_response_file(data, "smart.csv", framework, _mapping(), partners)
    assert any("Mapping, item sv1: no column given" in p for p in failed.value.problems)


def test_a_bad_response_file_names_row_and_column_and_writes_nothing(collaboration: Any) -> None:
    found = make_round(collaboration)
    n = len(found.framework.framework.items)
    partners = [p.organisation for p in collaboration.partners.all()]
    rows = [
        ["1", "x", "RX9", "tactical", "", "7", *(["3"] * (n - 1))],
        ["2", "x", "Hampshire", "tactical", "", *(["3"] * n)],
        ["3", "x", "RX9", "senior", "", "Maybe", *(["3"] * (n - 1))],
    ]
    with pytest.raises(importers.ImportFailed) as failed:
        importers.parse_response_file(
            _export(found, rows), "bad.csv", found.framework.framework, _mapping(), partners
        )
    problems = failed.value.problems
    first_column = found.framework.framework.items[0].text.lower()
    assert (
        f"Row 2, column {first_column!r}: '7' is outside the scale 1 to 5 "
        "(or one of the scale's labels)" in problems
    )
    assert any(
        p.startswith("Row 3, column 'your organisation': 'Hampshire' is not a partner")
        for p in problems
    )
    assert any(
        p.startswith("Row 4, column 'your level': 'senior' is not a level") for p in problems
    )
    assert any(p.startswith(f"Row 4, column {first_column!r}: 'Maybe'") for p in problems)
    assert Response.objects.count() == 0


def test_importing_needs_an_editor(collaboration: Any, colleague: Any) -> None:
    found = make_round(collaboration)
    with pytest.raises(services.PermissionRefused):
        services.add_responses(colleague, found, [])


def test_demo_loads_idempotently(make_collaboration: Any) -> None:
    from accord.assessments.demo import LABEL, load_demo
    from accord.register.demo import load_demo_collaborations

    load_demo_collaborations(SystemActor("demo"))
    created = load_demo(SystemActor("demo"))
    assert len(created) == 4
    assert all(LABEL in r.title for r in created)
    assert load_demo(SystemActor("demo")) == []
    lives = Organisation.objects.get(code="X-LIVES")
    assert 0 < Response.objects.filter(organisation=lives, round=created[0]).count() < 5


def test_add_responses_helper_counts(collaboration: Any) -> None:
    found = make_round(collaboration)
    add_responses(found, {("RX9", "tactical"): 3})
    assert Response.objects.filter(round=found).count() == 3
