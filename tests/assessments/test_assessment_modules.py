"""The modules the large ones were split into: the pure ones import no Django, and every name
that `accord.assessments.scoring` and `results` offered before the split is still there."""

from __future__ import annotations

import subprocess
import sys

import pytest

PURE = (
    "accord.assessments.framework",
    "accord.assessments.responses",
    "accord.assessments.scoring",
    "accord.assessments.presentation",
    "accord.assessments.exports",
    "accord.assessments.score_cli",
)

# Every public name `scoring` offered before responses moved to their own module.
SCORING_NAMES = [
    "BREAKDOWNS",
    "DEFAULT_K",
    "DIVERGENCE_THRESHOLD",
    "LEVELS",
    "NA_VALUES",
    "PROTECTING",  # since issue 10: a figure withheld only to protect another
    "SUPPRESSED",
    "Cell",  # since issue 11: counts under disclosure control too
    "Change",
    "Comparison",
    "CountDisclosure",
    "FactorDivergence",
    "RespondentScores",
    "Responses",
    "ResponsesError",
    "Result",
    "SetResult",
    "Summary",
    "Suppressed",
    "compare_rounds",
    "count_disclosure",
    "divergence",
    "parse_answer",
    "parse_responses_csv",
    "respondent_scores",
    "response_cells",
    "responses_from_records",
    "score",
    "score_by",
    "summarise",
    "to_json_dict",
]


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_no_django(module: str) -> None:
    code = (
        f"import sys; import {module}; "
        "bad = [m for m in sys.modules if m == 'django' or m.startswith(('django.', 'ninja', "
        "'accord.orgs', 'accord.register'))]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_scoring_name_is_still_importable_from_scoring() -> None:
    from accord.assessments import responses, scoring

    assert sorted(SCORING_NAMES) == sorted(scoring.__all__)
    for name in SCORING_NAMES:
        assert hasattr(scoring, name), name
    # The moved names are the same objects, not copies.
    assert scoring.Responses is responses.Responses
    assert scoring.parse_responses_csv is responses.parse_responses_csv


@pytest.mark.django_db
def test_results_still_offers_what_the_pages_used() -> None:
    from accord.assessments import exports, presentation, results

    for name in results.__all__:
        assert hasattr(results, name), name
    assert results.export_rows is exports.export_rows
    assert results.Figure is presentation.Figure
