"""Machine outputs at full precision, checked against the scoring contract by hand.

The contract (docs/assessments.md, "Scoring"): a respondent's factor score is the mean of their
answered items; for a set, mean, sample sd (divisor n - 1) and the 95% interval
mean ± t(0.975, n - 1) · sd / √n. The command's JSON, the API and the CSV export must give
these to 1e-6 (they once rounded to 4 places, off by up to 5e-5).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from scipy import stats
from tests.assessments.assessment_helpers import ACTOR, make_round

from accord.assessments import services
from accord.assessments.score_cli import main as score_main
from accord.orgs.models import Organisation

# Five respondents answer the two statements of one enabler: their factor scores are
# (1+2)/2, (2+2)/2, (3+4)/2, (4+5)/2, (5+5)/2 = 1.5, 2, 3.5, 4.5, 5.
PAIRS = [(1, 2), (2, 2), (3, 4), (4, 5), (5, 5)]


def by_hand() -> dict[str, float]:
    scores = [(a + b) / 2 for a, b in PAIRS]
    n = len(scores)
    mean = sum(scores) / n  # 16.5 / 5 = 3.3
    squares = sum((x - mean) ** 2 for x in scores)  # 3.24 + 1.69 + 0.04 + 1.44 + 2.89 = 9.3
    sd = math.sqrt(squares / (n - 1))  # sqrt(2.325) = 1.524795...
    half = float(stats.t.ppf(0.975, n - 1)) * sd / math.sqrt(n)
    assert mean == pytest.approx(3.3, abs=1e-12) and squares == pytest.approx(9.3, abs=1e-12)
    return {"mean": mean, "sd": sd, "ci_low": mean - half, "ci_high": mean + half}


def assert_contract(cell: dict[str, Any]) -> None:
    expected = by_hand()
    assert int(cell["n"]) == len(PAIRS)
    for key, value in expected.items():
        assert abs(float(cell[key]) - value) < 1e-6, (key, cell[key], value)
    # Not rounded to 4 places: sd = 1.5247950... would read 1.5248 (off by 4.96e-6).
    assert abs(float(cell["sd"]) - round(expected["sd"], 4)) > 1e-6


FRAMEWORK = """
id: precise
version: 1
title: Precise
scale: {min: 1, max: 5, labels: [SD, D, N, A, SA]}
groups: []
factors:
  - id: f
    kind: enabler
    title: F
    items:
      - {id: i1, text: "One."}
      - {id: i2, text: "Two."}
"""


def test_the_commands_json_is_the_contract_to_1e_6(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    framework = tmp_path / "precise.yaml"
    framework.write_text(FRAMEWORK, encoding="utf-8")
    lines = ["respondent,organisation,level,i1,i2"]
    lines += [f"r{n},A,tactical,{a},{b}" for n, (a, b) in enumerate(PAIRS)]
    responses = tmp_path / "responses.csv"
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert score_main([str(framework), str(responses), "--json", "--k", "5"]) == 0
    assert_contract(json.loads(capsys.readouterr().out)["overall"]["factors"]["f"])


@pytest.fixture
def scored_round(collaboration: Any) -> Any:
    found = make_round(collaboration)
    organisation = Organisation.objects.get(code="E31000025")
    framework = found.framework.framework
    # sv1 and sv2 of shared vision answered; every other statement not applicable.
    rows = []
    for a, b in PAIRS:
        answers: dict[str, int | None] = dict.fromkeys(framework.item_ids)
        answers.update({"sv1": a, "sv2": b})
        rows.append(
            services.ImportedResponse(
                line=0, organisation=organisation, level="tactical", answers=answers
            )
        )
    services.add_responses(ACTOR, found, rows)
    return found


@pytest.mark.django_db
def test_the_api_is_the_contract_to_1e_6(scored_round: Any, owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    data = client.get(f"/api/assessments/rounds/{scored_round.pk}/scores").json()
    assert_contract(data["overall"]["factors"]["shared-vision"])


@pytest.mark.django_db
def test_the_export_is_the_contract_to_1e_6(scored_round: Any, owner: Any) -> None:
    client = Client()
    client.force_login(owner)
    body = client.get(f"/assessments/rounds/{scored_round.pk}/export.csv").content
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    (cell,) = [
        r
        for r in rows
        if r["breakdown"] == "overall" and r["measure"] == "factor" and r["id"] == "shared-vision"
    ]
    assert_contract(cell)
