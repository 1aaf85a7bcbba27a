"""The shared errors: a problem names its row, field and reason, and reads as its sentence."""

from __future__ import annotations

from accord.core.problems import Problem, Problems
from accord.core.yaml_checks import YamlChecker


def test_a_problem_reads_as_the_sentence_that_names_where_and_why() -> None:
    problem = Problem("is not a date", row=4, field="started_on")
    assert problem == "Row 4, column started_on: is not a date"
    assert (problem.row, problem.field, problem.reason) == (4, "started_on", "is not a date")
    assert Problem("must be text", field="costs[2].name") == "costs[2].name: must be text"
    assert Problem("empty code", row=7, field="LAD24CD", source="lookup.csv", row_word="line") == (
        "lookup.csv: line 7, column LAD24CD: empty code"
    )
    assert Problem("the file is empty") == "the file is empty"


def test_problems_keep_every_problem_and_plain_messages_become_problems() -> None:
    exc = Problems([Problem("is required", row=2, field="title"), "Header: missing partners"])
    assert len(exc) == 2
    assert exc.problems[1].reason == "Header: missing partners"
    assert exc.errors is exc.problems
    assert str(exc) == "Row 2, column title: is required\nHeader: missing partners"
    assert exc.problems[0].as_dict() == {
        "row": 2,
        "field": "title",
        "reason": "is required",
        "message": "Row 2, column title: is required",
    }


def test_the_yaml_checker_reports_every_problem_with_its_path() -> None:
    check = YamlChecker(source="plan.yaml")
    data = check.mapping({"years": "ten", "colour": "red"}, "")
    assert data is not None
    check.keys(data, "", required=["title", "years"], optional=[])
    check.integer(data["years"], "years")
    assert [str(p) for p in check.problems] == [
        "plan.yaml: title: required key missing",
        "plan.yaml: colour: unknown key (expected one of title, years)",
        "plan.yaml: years: must be a whole number, got 'ten'",
    ]
