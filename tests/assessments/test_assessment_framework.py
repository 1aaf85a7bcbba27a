"""Frameworks: the shipped ones, round trips, and every validation rule."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from accord.assessments.framework import (
    SHIPPED_DIR,
    Framework,
    FrameworkError,
    load_framework,
    load_shipped_framework,
    parse_framework,
    shipped_framework_ids,
)


def minimal() -> dict[str, Any]:
    return {
        "id": "mini",
        "version": 1,
        "title": "Mini",
        "scale": {"min": 1, "max": 3, "labels": ["No", "Maybe", "Yes"]},
        "groups": [{"id": "g", "title": "G"}],
        "factors": [
            {
                "id": "f1",
                "kind": "enabler",
                "group": "g",
                "title": "F one",
                "items": [{"id": "a1", "text": "A one"}, {"id": "a2", "text": "A two"}],
            },
            {
                "id": "f2",
                "kind": "barrier",
                "title": "F two",
                "items": [{"id": "b1", "text": "B one"}],
            },
        ],
    }


def errors_of(data: object, source: str = "x.yaml") -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data, source)
    return caught.value.errors


# ---- shipped frameworks ----------------------------------------------------------------------


def test_shipped_framework_ids() -> None:
    assert shipped_framework_ids() == ["collaboration-factors", "jesip-interoperability"]


def test_collaboration_factors() -> None:
    fw = load_framework(SHIPPED_DIR / "collaboration-factors.yaml")
    assert (fw.id, fw.version) == ("collaboration-factors", 1)
    assert (fw.scale.min, fw.scale.max, len(fw.scale.labels)) == (1, 5, 5)
    enablers = [f.id for f in fw.factors if f.kind == "enabler"]
    barriers = [f.id for f in fw.factors if f.kind == "barrier"]
    assert enablers == [
        "shared-vision",
        "trust",
        "resource-plan",
        "timeline",
        "political-buy-in",
        "governance",
        "service-identity",
    ]
    assert barriers == [
        "too-narrow",
        "funding",
        "organisational-differences",
        "representative-bodies",
        "legislation",
        "government-departments",
    ]
    assert [(g.id, g.title) for g in fw.groups] == [
        ("clear-vision", "Clear vision"),
        ("consistency", "Consistency"),
        ("culture", "Culture"),
    ]
    members = {g.id: {f.id for f in fw.factors_in(g.id)} for g in fw.groups}
    assert members == {
        "clear-vision": {"shared-vision", "resource-plan", "timeline", "too-narrow"},
        "consistency": {
            "governance",
            "political-buy-in",
            "funding",
            "legislation",
            "government-departments",
        },
        "culture": {
            "trust",
            "service-identity",
            "organisational-differences",
            "representative-bodies",
        },
    }
    for factor in fw.factors:
        assert 2 <= len(factor.items) <= 4, factor.id
        assert factor.reversed == (factor.kind == "barrier")


def test_jesip_interoperability() -> None:
    fw = load_shipped_framework("jesip-interoperability", 1)
    assert (fw.id, fw.version, fw.groups) == ("jesip-interoperability", 1, ())
    assert fw.factor_ids == (
        "co-locate",
        "communicate",
        "co-ordinate",
        "jointly-understand-risk",
        "shared-situational-awareness",
    )
    for factor in fw.factors:
        assert factor.kind == "principle" and factor.group is None
        assert 2 <= len(factor.items) <= 4


@pytest.mark.parametrize("framework_id", ["collaboration-factors", "jesip-interoperability"])
def test_round_trip_through_plain_data(framework_id: str) -> None:
    fw = load_shipped_framework(framework_id)
    data = fw.to_dict()
    again = parse_framework(yaml.safe_load(yaml.safe_dump(data)), "stored")
    assert again == fw
    assert again.to_dict() == data


def test_framework_is_frozen_and_items_in_order() -> None:
    fw = parse_framework(minimal(), "mini")
    assert fw.item_ids == ("a1", "a2", "b1")
    assert fw.item_factor("b1").id == "f2"
    assert fw.factor("f2").group is None
    with pytest.raises(AttributeError):
        fw.title = "Other"  # type: ignore[misc]
    assert isinstance(fw, Framework)


# ---- validation ------------------------------------------------------------------------------


def test_duplicate_item_id_message_names_file_path_and_reason() -> None:
    data = minimal()
    data["factors"][1]["items"].append({"id": "a2", "text": "again"})
    assert errors_of(data, "collaboration-factors.yaml") == [
        "collaboration-factors.yaml: factors[1].items[1].id: duplicate item id 'a2'"
    ]


def test_all_problems_are_reported_together() -> None:
    data = minimal()
    data["version"] = 0
    data["colour"] = "blue"
    del data["title"]
    data["factors"][0]["kind"] = "helper"
    data["factors"][1]["group"] = "nowhere"
    data["factors"][1]["items"] = []
    errors = errors_of(data)
    assert errors == [
        "x.yaml: title: required key missing",
        "x.yaml: colour: unknown key (expected one of id, version, title, scale, groups, factors, "
        "grouping_note)",
        "x.yaml: version: must be at least 1, got 0",
        "x.yaml: factors[0].kind: must be one of enabler, barrier, principle, got 'helper'",
        "x.yaml: factors[1].group: group 'nowhere' is not declared in groups (declared: g)",
        "x.yaml: factors[1].items: a factor needs at least one item",
    ]
    assert isinstance(FrameworkError(errors), ValueError)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("factors"), "x.yaml: factors: required key missing"),
        (lambda d: d.__setitem__("version", "1"), "x.yaml: version: must be a whole number"),
        (lambda d: d.__setitem__("version", True), "x.yaml: version: must be a whole number"),
        (lambda d: d.__setitem__("version", -2), "x.yaml: version: must be at least 1"),
        (lambda d: d["scale"].__setitem__("min", 3), "x.yaml: scale: min (3) must be less"),
        (lambda d: d["scale"].__setitem__("max", 2.5), "x.yaml: scale.max: must be a whole number"),
        (
            lambda d: d["scale"]["labels"].pop(),
            "x.yaml: scale.labels: expected 3 labels (one for each point from 1 to 3), found 2",
        ),
        (lambda d: d["scale"].pop("labels"), "x.yaml: scale.labels: required key missing"),
        (
            lambda d: d["groups"].append({"id": "g", "title": "Again"}),
            "groups[1].id: duplicate group id 'g'",
        ),
        (
            lambda d: d["groups"][0].__setitem__("extra", 1),
            "x.yaml: groups[0].extra: unknown key (expected one of id, title)",
        ),
        (
            lambda d: d["factors"][1].__setitem__("id", "f1"),
            "factors[1].id: duplicate factor id 'f1'",
        ),
        (
            lambda d: d["factors"][0]["items"][0].pop("text"),
            "factors[0].items[0].text: required key missing",
        ),
        (
            lambda d: d["factors"][0]["items"][0].__setitem__("text", "  "),
            "factors[0].items[0].text: must be text, got '  '",
        ),
        (
            lambda d: d["factors"][0]["items"][0].__setitem__("id", "a b"),
            "factors[0].items[0].id: must be an id",
        ),
        (lambda d: d["factors"][0]["items"][0].__setitem__("id", "level"), "is reserved"),
        (lambda d: d["factors"][0].pop("kind"), "x.yaml: factors[0].kind: required key missing"),
        (
            lambda d: d.__setitem__("factors", []),
            "x.yaml: factors: a framework needs at least one factor",
        ),
        (lambda d: d.__setitem__("groups", "g"), "x.yaml: groups: must be a list"),
        (lambda d: d["factors"].append("text"), "x.yaml: factors[2]: must be a mapping"),
    ],
)
def test_validation_rules(change: Any, expected: str) -> None:
    data = copy.deepcopy(minimal())
    change(data)
    errors = errors_of(data)
    assert any(error.startswith(expected) or expected in error for error in errors), errors


def test_not_a_mapping() -> None:
    assert errors_of([1, 2], "y.yaml") == ["y.yaml: (top level): must be a mapping, got a list"]
    assert errors_of(None, "y.yaml") == [
        "y.yaml: (top level): must be a mapping, got nothing (null)"
    ]


def test_factor_without_group_is_allowed_and_null_group_too() -> None:
    data = minimal()
    data["factors"][0]["group"] = None
    fw = parse_framework(data, "x")
    assert fw.factor("f1").group is None
    assert fw.factors_in("g") == ()


def test_load_framework_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    data = minimal()
    data["factors"][0]["items"][1]["id"] = "a1"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(FrameworkError) as caught:
        load_framework(path)
    assert caught.value.errors == ["broken.yaml: factors[0].items[1].id: duplicate item id 'a1'"]

    path.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(
        FrameworkError, match=r"^broken\.yaml: line \d+, column \d+: not valid YAML"
    ):
        load_framework(path)

    with pytest.raises(FrameworkError, match=r"missing\.yaml: cannot read the file"):
        load_framework(tmp_path / "missing.yaml")
