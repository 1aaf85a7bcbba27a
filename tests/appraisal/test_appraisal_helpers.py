"""Shared data for the appraisal page tests: a form post and the YAML it stands for."""

from __future__ import annotations

from typing import Any

from accord.appraisal import services
from accord.core.actors import SystemActor

FORM_YAML = """\
title: Co-responding appraisal
price_year: 2016
years: 3
discount: green_book
optimism_bias_by_grade: {1: 0.0, 2: 0.05, 3: 0.1, 4: 0.15, 5: 0.25, 6: 0.4}
monte_carlo: {iterations: 2000, seed: 3}
costs:
  - {name: Vehicles and kit, payer: E31000025, amounts: [180000, 0, 0], confidence: 2}
  - name: Crew time
    payer: E31000025
    unit_cost: {triangular: [38, 42, 50]}
    volumes: [0, 3000, 3000]
    confidence: 3
benefits:
  - name: Ambulance hours released
    class: fiscal_non_cashable
    beneficiary: RX9
    unit_cost: 180
    volumes: [0, 900, 950]
    deadweight: 0.1
    attribution: {uniform: [0.1, 0.3]}
    confidence: 3
"""


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def form_post(**overrides: Any) -> dict[str, str]:
    """The form a person fills in for FORM_YAML, with blank extra rows as the page offers."""
    data = {
        "title": "Co-responding appraisal",
        "price_year": "2016",
        "years": "3",
        "discount": "green_book",
        "ob_1": "0",
        "ob_2": "0.05",
        "ob_3": "0.1",
        "ob_4": "0.15",
        "ob_5": "0.25",
        "ob_6": "0.4",
        "iterations": "2000",
        "seed": "3",
        **management("costs", 3),
        "costs-0-name": "Vehicles and kit",
        "costs-0-amounts": "180000, 0, 0",
        "costs-0-org": "E31000025",
        "costs-0-confidence": "2",
        "costs-1-name": "Crew time",
        "costs-1-unit_cost": "triangular(38, 42, 50)",
        "costs-1-volumes": "0, 3000, 3000",
        "costs-1-org": "e31000025",
        "costs-1-confidence": "3",
        **management("benefits", 3),
        "benefits-0-name": "Ambulance hours released",
        "benefits-0-benefit_class": "fiscal_non_cashable",
        "benefits-0-org": "RX9",
        "benefits-0-unit_cost": "£180",
        "benefits-0-volumes": "0, 900, 950",
        "benefits-0-deadweight": "10%",
        "benefits-0-attribution": "uniform(0.1, 0.3)",
        "benefits-0-confidence": "3",
        "benefits-1-benefit_class": "social",
        "benefits-2-benefit_class": "social",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_appraisal(collaboration: Any, text: str = FORM_YAML) -> Any:
    return services.create_appraisal(
        SystemActor("test"), collaboration, services.parse_yaml_text(text), how="test"
    )


def many_lines_yaml(lines: int) -> str:
    costs = "\n".join(
        f"  - {{name: Cost {i}, payer: E31000025, amounts: [{1000 + i}, 500, 500]}}"
        for i in range(lines)
    )
    benefits = "\n".join(
        f"  - {{name: Benefit {i}, beneficiary: RX9,"
        f" amounts: [0, {{triangular: [800, 1000, 1300]}}, 1200], deadweight: 0.1}}"
        for i in range(lines)
    )
    return (
        "title: Many lines\nprice_year: 2020\nyears: 3\nmonte_carlo: {iterations: 500, seed: 1}\n"
        f"costs:\n{costs}\nbenefits:\n{benefits}\n"
    )
