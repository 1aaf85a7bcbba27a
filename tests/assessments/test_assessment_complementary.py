"""Disclosure control beaten by subtraction (issue 10), and closed.

Hand-worked example: k = 5; organisation A has 8 respondents who answer 4 to every item,
organisation B 4 who answer 2. The overall mean of a factor is (8 * 4 + 4 * 2) / 12 = 40 / 12
= 3.3333. B (n = 4 < k) is suppressed; if A were shown, B's mean would be
(12 * 40/12 - 8 * 4) / 4 = 2, exactly what it is meant to hide. So A is withheld too
("suppressed to protect another group"), and the subtraction cannot be done on the command's
JSON, the API, the round's page or its export.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client
from tests.assessments.assessment_helpers import add_responses, make_round

from accord.assessments import results
from accord.assessments.framework import SHIPPED_DIR, load_framework
from accord.assessments.score_cli import main
from accord.assessments.scoring import (
    PROTECTING,
    SUPPRESSED,
    Responses,
    SetResult,
    Summary,
    score,
    score_by,
    summarise,
)

FRAMEWORK_PATH = SHIPPED_DIR / "collaboration-factors.yaml"
FW = load_framework(FRAMEWORK_PATH)
ITEMS = FW.item_ids
FACTOR = FW.factor_ids[0]


def responses(groups: list[tuple[str, str, int, float]]) -> Responses:
    """[(organisation, level, respondents, answer to every item)]."""
    orgs, levels, rows = [], [], []
    for org, level, count, value in groups:
        orgs += [org] * count
        levels += [level] * count
        rows += [[value] * len(ITEMS)] * count
    return Responses(
        respondents=tuple(f"r{i}" for i in range(len(rows))),
        organisations=tuple(orgs),
        levels=tuple(levels),
        answers=np.asarray(rows, dtype=float),
        item_ids=ITEMS,
    )


HAND = [("A", "strategic", 8, 4.0), ("B", "tactical", 4, 2.0)]


def figure(cell: Any) -> tuple[float, float] | None:
    """(n, mean) of a shown JSON cell, None if withheld."""
    if not isinstance(cell, dict) or cell.get("suppressed") or cell.get("mean") is None:
        return None
    return float(cell["n"]), float(cell["mean"])


def attack(shown: dict[str, Any], members: dict[str, set[str]], target: set[str]) -> float | None:
    """Try every combination (coefficients -1, 0, 1) of the shown figures whose respondents add
    up to exactly the target's: the mean it gives, or None if no combination does."""
    names = [name for name in shown if figure(shown[name]) is not None]
    everyone = sorted(set().union(*members.values()))
    vectors = {n: np.asarray([r in members[n] for r in everyone], dtype=float) for n in names}
    goal = np.asarray([r in target for r in everyone], dtype=float)
    for coefficients in itertools.product((-1, 0, 1), repeat=len(names)):
        if not any(coefficients):
            continue
        total = sum((c * vectors[n] for c, n in zip(coefficients, names, strict=True)), 0 * goal)
        if np.array_equal(total, goal):
            sums = counts = 0.0
            for c, n in zip(coefficients, names, strict=True):
                count, mean = figure(shown[n]) or (0.0, 0.0)
                sums += c * count * mean
                counts += c * count
            return sums / counts
    return None


def views(data_by_org: dict[str, Any], data_by_level: dict[str, Any]) -> dict[str, Any]:
    shown = {"overall": data_by_org["overall"]["factors"][FACTOR]}
    for by, data in (("org", data_by_org), ("level", data_by_level)):
        for key, value in data["breakdown"].items():
            shown[f"{by}:{key}"] = value if value.get("suppressed") else value["factors"][FACTOR]
    return shown


def members_of(groups: list[tuple[str, str, int, float]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {"overall": set()}
    index = 0
    for org, level, count, _ in groups:
        ids = {f"r{index + i}" for i in range(count)}
        index += count
        found["overall"] |= ids
        found.setdefault(f"org:{org}", set()).update(ids)
        found.setdefault(f"level:{level}", set()).update(ids)
    return found


def test_the_hand_worked_example() -> None:
    result = score(FW, responses(HAND), k=5, by="organisation")
    assert isinstance(result.overall, SetResult)
    overall = result.overall.factors[FACTOR]
    assert isinstance(overall, Summary)
    assert (overall.n, overall.mean) == (12, pytest.approx(40 / 12))
    assert result.breakdown is not None
    assert result.breakdown["B"] == SUPPRESSED
    # A's figures would give B's mean, and A's count (8) B's count (12 - 8): A is withheld
    # whole, its number of respondents too.
    assert result.breakdown["A"] == PROTECTING and result.breakdown["A"].protects_another
    assert result.counts is not None
    assert result.counts.organisations == {"A": PROTECTING, "B": SUPPRESSED}
    assert result.counts.total == 12
    # Levels are the same two groups here: strategic is A, so it is withheld too.
    by_level = score_by(FW, responses(HAND), "level", k=5)
    assert by_level["strategic"] == PROTECTING
    assert by_level["tactical"] == SUPPRESSED


def test_the_attack_works_on_unprotected_figures_and_fails_on_protected_ones() -> None:
    groups = HAND
    data_org = score(FW, responses(groups), k=5, by="organisation").to_dict()
    data_level = score_by(FW, responses(groups), "level", k=5)
    data_level_json = {"breakdown": {k: v.to_dict() for k, v in data_level.items()}}
    shown = views(data_org, data_level_json)
    members = members_of(groups)
    assert attack(shown, members, members["org:B"]) is None
    # Without complementary suppression (A's raw figures shown) the attack gives B's mean: 2.
    raw_a = summarise(FW, responses(groups[:1])).factors[FACTOR]
    assert isinstance(raw_a, Summary)
    leaky = {"overall": shown["overall"], "org:A": raw_a.to_dict()}
    assert attack(leaky, members, members["org:B"]) == pytest.approx(2.0)


def test_one_breakdown_cannot_be_subtracted_from_the_other() -> None:
    # B (4, all strategic) is withheld; A (8) and C (6) are tactical. Hiding only the
    # next-smallest organisation (C) would leave C = tactical - A and B = overall - tactical.
    groups = [("A", "tactical", 8, 4.0), ("B", "strategic", 4, 1.0), ("C", "tactical", 6, 3.0)]
    data_org = score(FW, responses(groups), k=5, by="organisation").to_dict()
    data_level = score(FW, responses(groups), k=5, by="level").to_dict()
    shown = views(data_org, data_level)
    members = members_of(groups)
    for name in ("org:A", "org:B", "org:C", "level:strategic"):
        if figure(shown[name]) is None:
            assert attack(shown, members, members[name]) is None, name
    assert figure(shown["overall"]) is not None  # the headline stays


def test_the_command_json_cannot_be_subtracted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "responses.csv"
    lines = [",".join(["respondent", "organisation", "level", *ITEMS])]
    index = 0
    for org, level, count, value in HAND:
        for _ in range(count):
            lines.append(",".join([f"r{index}", org, level, *[str(int(value))] * len(ITEMS)]))
            index += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main([str(FRAMEWORK_PATH), str(path), "--json", "--by", "organisation"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["overall"]["factors"][FACTOR]["mean"] == pytest.approx(40 / 12)
    assert data["breakdown"]["B"] == {"suppressed": True}
    # The shape of a withheld group is unchanged: the same as any other suppressed group, and
    # without its number of respondents (8, which would give B's 4 from the total's 12).
    assert data["breakdown"]["A"] == {"suppressed": True}
    assert data["overall"]["n"] == 12


@pytest.mark.django_db
def test_api_page_and_export_cannot_be_subtracted(
    client: Client, collaboration: Any, colleague: Any
) -> None:
    found = make_round(collaboration)
    # 8 for E31000025 (answers alternate 4 and 3), 4 for RX9: RX9 withheld, so E31000025 too.
    add_responses(found, {("E31000025", "tactical"): 8, ("RX9", "operational"): 4})
    client.force_login(colleague)
    data = client.get(f"/api/assessments/rounds/{found.pk}/scores", {"by": "organisation"}).json()
    factor = found.framework.framework.factor_ids[0]
    overall = data["overall"]["factors"][factor]
    assert overall["n"] == 12 and not math.isnan(overall["mean"])
    assert data["breakdown"]["RX9"] == {"suppressed": True}
    assert data["breakdown"]["E31000025"] == {"suppressed": True}

    res = results.round_results(found)
    columns = {c.key: c for c in res.by_organisation}
    assert columns["RX9"].suppressed
    cell = columns["E31000025"].factors[0]
    assert cell.suppressed and cell.protecting and cell.mean is None
    page = client.get(f"/assessments/rounds/{found.pk}/").content.decode()
    assert "suppressed to protect another group" in page

    body = client.get(f"/assessments/rounds/{found.pk}/export.csv").content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    shown_means = [
        r for r in rows if r["group"] == "E31000025" and r["id"] == factor and r["mean"] != ""
    ]
    assert shown_means == []
    notes = {r["note"] for r in rows if r["group"] == "E31000025" and r["id"] == factor}
    assert notes == {"suppressed to protect another group"}
