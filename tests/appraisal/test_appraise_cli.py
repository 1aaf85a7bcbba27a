"""``accord appraise``: the JSON report's exact shape, tables, bad files, the template."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from accord.appraisal.appraisal_file import TEMPLATE, parse_appraisal
from accord.appraisal.appraise_cli import main

EXAMPLE = """\
title: Joint Ambulance Conveyance Project
collaboration: JACP
price_year: 2016
years: 5
discount: green_book
optimism_bias_by_grade: {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}
monte_carlo: {iterations: 2000, seed: 1}
costs:
  - {name: Vehicles and kit, payer: E31000025, amounts: [180000, 0, 0, 0, 0], confidence: 2}
  - name: Crew time
    payer: E31000025
    unit_cost: {triangular: [38, 42, 50]}
    volumes: [0, 3000, 3000, 3000, 3000]
benefits:
  - name: Ambulance hours released
    class: fiscal_non_cashable
    beneficiary: RX9
    unit_cost: 180
    volumes: [0, 900, 950, 1000, 1000]
    deadweight: 0.1
    attribution: {uniform: [0.1, 0.3]}
    drop_off: 0.0
    confidence: 3
"""

CERTAIN = """\
title: Certain
price_year: 2020
years: 3
discount: 0.0
costs:
  - {name: Set-up, payer: E31000025, amounts: [100, 0, 0]}
benefits:
  - {name: Savings, class: fiscal_cashable, beneficiary: RX9, amounts: [0, 60, 60]}
"""

TOP_KEYS = [
    "title",
    "price_year",
    "years",
    "pv_costs",
    "pv_benefits",
    "pv_disbenefits",
    "npv",
    "bcr",
    "fiscal_bcr",
    "sroi",
    "payback_year",
    "pv_benefits_by_class",
    "by_organisation",
    "per_year",
]
YEAR_KEYS = [
    "year",
    "discount_factor",
    "costs",
    "benefits",
    "disbenefits",
    "pv_costs",
    "pv_benefits",
    "pv_disbenefits",
    "cumulative_pv_net",
]
SUMMARY_KEYS = ["mean", "p5", "p50", "p95"]


def write(tmp_path: Path, text: str, name: str = "appraisal.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run_json(capsys: pytest.CaptureFixture[str], argv: list[str]) -> dict[str, Any]:
    assert main(argv) == 0
    out = capsys.readouterr().out
    data: dict[str, Any] = json.loads(out)
    return data


def test_json_has_exactly_the_documented_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = run_json(capsys, [write(tmp_path, EXAMPLE), "--json"])
    assert list(data) == [*TOP_KEYS, "monte_carlo", "tornado"]
    assert (data["title"], data["price_year"], data["years"]) == (
        "Joint Ambulance Conveyance Project",
        2016,
        5,
    )
    assert list(data["pv_benefits_by_class"]) == [
        "fiscal_cashable",
        "fiscal_non_cashable",
        "economic",
        "social",
    ]
    assert data["by_organisation"] == {
        "E31000025": {"paid": data["pv_costs"], "received": 0.0},
        "RX9": {"paid": 0.0, "received": data["pv_benefits"]},
    }
    assert [list(row) for row in data["per_year"]] == [YEAR_KEYS] * 5
    assert [row["year"] for row in data["per_year"]] == [0, 1, 2, 3, 4]
    mc = data["monte_carlo"]
    assert list(mc) == ["iterations", "seed", "npv", "bcr", "sroi", "p_npv_positive"]
    assert (mc["iterations"], mc["seed"]) == (2000, 1)
    for key in ("npv", "bcr", "sroi"):
        assert list(mc[key]) == SUMMARY_KEYS
    assert [row["input"] for row in data["tornado"]] == [
        "costs[1].unit_cost",
        "benefits[0].attribution",
    ]
    row = data["tornado"][1]
    assert list(row) == ["input", "low", "high", "npv_at_low", "npv_at_high", "swing"]
    assert (row["low"], row["high"]) == (0.1, 0.3)


def test_json_figures_worked_by_hand(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Undiscounted: costs 100 in year 0, savings 60 in years 1 and 2.
    # NPV 20, BCR = fiscal BCR = SROI = 1.2; cumulative -100, -40, 20 -> payback year 2.
    data = run_json(capsys, [write(tmp_path, CERTAIN), "--json"])
    assert list(data) == TOP_KEYS  # nothing uncertain: no Monte Carlo, no tornado
    assert data["pv_costs"] == pytest.approx(100)
    assert data["pv_benefits"] == pytest.approx(120)
    assert data["npv"] == pytest.approx(20)
    assert data["bcr"] == data["fiscal_bcr"] == data["sroi"] == pytest.approx(1.2)
    assert data["payback_year"] == 2
    assert data["pv_benefits_by_class"]["fiscal_cashable"] == pytest.approx(120)
    assert [r["cumulative_pv_net"] for r in data["per_year"]] == pytest.approx([-100, -40, 20])
    assert data["per_year"][1] == {
        "year": 1,
        "discount_factor": 1.0,
        "costs": 0.0,
        "benefits": 60.0,
        "disbenefits": 0.0,
        "pv_costs": 0.0,
        "pv_benefits": 60.0,
        "pv_disbenefits": 0.0,
        "cumulative_pv_net": -40.0,
    }


def test_json_null_ratios_and_payback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CERTAIN.replace("amounts: [100, 0, 0]", "amounts: [0, 0, 0]")
    data = run_json(capsys, [write(tmp_path, text), "--json"])
    assert data["bcr"] is None and data["fiscal_bcr"] is None and data["sroi"] is None
    assert data["payback_year"] is None  # no cost: nothing to pay back
    text = CERTAIN.replace("[0, 60, 60]", "[0, 10, 10]")
    assert run_json(capsys, [write(tmp_path, text), "--json"])["payback_year"] is None


def test_json_payback_ignores_a_crossing_that_falls_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Undiscounted: set-up 100 in year 0, a refit of 50 in year 2; savings 120 in year 1 and
    # 60 in year 3. Cumulative -100, 20, -30, 30: paid back in year 3, not year 1.
    text = CERTAIN.replace("years: 3", "years: 4").replace(
        "amounts: [100, 0, 0]", "amounts: [100, 0, 50, 0]"
    )
    text = text.replace("amounts: [0, 60, 60]", "amounts: [0, 120, 0, 60]")
    data = run_json(capsys, [write(tmp_path, text), "--json"])
    assert [r["cumulative_pv_net"] for r in data["per_year"]] == pytest.approx([-100, 20, -30, 30])
    assert data["payback_year"] == 3


def test_json_numbers_are_plain(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, [write(tmp_path, EXAMPLE), "--json"])

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        else:
            assert x is None or type(x) in (str, int, float), type(x)

    walk(data)


def test_json_rounds_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # 1000 in year 1 at 3.5%: 1000 / 1.035 = 966.1835748792271…, every digit in the JSON;
    # a cost of 333.333… and a ratio with a long expansion, both exactly the engine's floats.
    text = (
        "title: Precise\nprice_year: 2020\nyears: 2\ndiscount: 0.035\n"
        "costs:\n  - {name: C, amounts: [333.3333333333333, 0]}\n"
        "benefits:\n  - {name: B, amounts: [0, 1000]}\n"
    )
    path = write(tmp_path, text)
    out = capsys.readouterr()
    assert main([path, "--json"]) == 0
    raw = capsys.readouterr().out
    data = json.loads(raw)
    assert data["pv_benefits"] == 1000 / 1.035
    assert data["per_year"][1]["discount_factor"] == 1 / 1.035
    assert data["bcr"] == (1000 / 1.035) / 333.3333333333333
    assert repr(1000 / 1.035) in raw  # as many digits as the float has
    assert out.err == ""


def test_iterations_and_seed_override_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, EXAMPLE)
    data = run_json(capsys, [path, "--json", "--iterations", "500", "--seed", "3"])
    assert (data["monte_carlo"]["iterations"], data["monte_carlo"]["seed"]) == (500, 3)
    again = run_json(capsys, [path, "--json", "--iterations", "500", "--seed", "3"])
    assert again == data
    other = run_json(capsys, [path, "--json", "--iterations", "500", "--seed", "4"])
    assert other["monte_carlo"] != data["monte_carlo"]


def test_default_monte_carlo_without_a_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.replace("monte_carlo: {iterations: 2000, seed: 1}\n", "")
    path = write(tmp_path, text)
    mc = run_json(capsys, [path, "--json"])["monte_carlo"]
    assert (mc["iterations"], mc["seed"]) == (10_000, 1)
    mc = run_json(capsys, [path, "--json", "--iterations", "300"])["monte_carlo"]
    assert (mc["iterations"], mc["seed"]) == (300, 1)


def test_tables_without_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([write(tmp_path, EXAMPLE), "--iterations", "200"]) == 0
    out = capsys.readouterr().out
    for text in ("Joint Ambulance Conveyance Project", "Net present value", "E31000025"):
        assert text in out
    assert "Monte Carlo" in out and "Tornado" in out
    assert "benefits[0].attribution" in out


def test_bad_file_exits_2_with_every_problem_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.replace("years: 5", "years: 0").replace("attribution: {uniform", "colour: {x")
    path = write(tmp_path, text)
    assert main([path, "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert f"{path}: years: must be at least 1, got 0" in lines
    assert any(line.startswith(f"{path}: benefits[0].colour: unknown key") for line in lines)
    assert all(line.startswith(f"{path}: ") for line in lines)


def test_share_problem_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = EXAMPLE.replace("attribution: {uniform: [0.1, 0.3]}", "attribution: 1.2")
    path = write(tmp_path, text)
    assert main([path]) == 2
    assert capsys.readouterr().err == (
        f"{path}: benefits[0].attribution: share must be between 0 and 1, got 1.2\n"
    )


def test_missing_file_and_bad_yaml_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read the file" in capsys.readouterr().err
    assert main([write(tmp_path, "title: [oops\n")]) == 2
    assert "not valid YAML" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert main(["x.yaml", "--iterations", "0"]) == 2
    assert main(["x.yaml", "--seed", "minus"]) == 2
    assert "accord appraise" in capsys.readouterr().err


def test_template_prints_a_file_that_parses(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--template"]) == 0
    out = capsys.readouterr().out
    assert out == TEMPLATE
    assert parse_appraisal(yaml.safe_load(out)).title


def test_template_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = run_json(capsys, [write(tmp_path, TEMPLATE), "--json", "--iterations", "100"])
    assert "monte_carlo" in data and data["tornado"]


def test_no_django_is_imported() -> None:
    # From the kernel, only its pure modules, which import no Django themselves: so no Django
    # module at all may be loaded, nor anything of orgs.
    code = (
        "import sys; import accord.appraisal.appraise_cli, accord.appraisal.engine;"
        "import accord.appraisal.appraisal_file, accord.appraisal.values;"
        "import accord.appraisal.deflators, accord.appraisal.realisation;"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'django' "
        "or m.startswith(('accord.orgs', 'accord.core.models', 'accord.core.audit'))];"
        "print(bad); assert not bad"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
