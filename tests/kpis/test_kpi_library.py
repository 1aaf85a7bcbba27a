"""The indicator library: the shipped file, its checks (each problem with its line and path),
and loading it into the database, where an indicator in use is never silently changed."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.support.factories import AdoptionFactory, IndicatorFactory

from accord.core.actors import SystemActor
from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems
from accord.kpis import library, services
from accord.kpis.choices import Aggregation, Direction, Frequency, Unit
from accord.kpis.models import Indicator


def _after(event: Any) -> dict[str, Any]:
    return dict(event.after or {})


def _before(event: Any) -> dict[str, Any]:
    return dict(event.before or {})


ADMIN = SystemActor("test")

#: The national standards exactly as ../shared/data/README.md gives them (minutes), against
#: the AmbSYS columns it names.
STANDARDS_MINUTES = {
    "ambsys-c1-mean": ("A25", 7),
    "ambsys-c1-90th": ("A26", 15),
    "ambsys-c2-mean": ("A31", 18),
    "ambsys-c2-90th": ("A32", 40),
    "ambsys-c3-90th": ("A35", 120),
    "ambsys-c4-90th": ("A38", 180),
}

GOOD = """\
indicators:
  - id: visits
    title: Visits
    description: Visits made.
    unit: count
    direction: increase
    frequency: monthly
    aggregation: sum
    services: [fire]
    source: Our records
"""


def _problems(text: str) -> list[str]:
    with pytest.raises(Problems) as caught:
        library.parse_library(text, "lib.yaml")
    return [str(p) for p in caught.value.problems]


# The shipped file ------------------------------------------------------------------------------


def test_the_shipped_library_has_every_kind_the_issue_names() -> None:
    found = library.shipped_library()
    keys = set(found.keys())
    assert len(found.indicators) >= 20
    for key in (
        "fire-primary-response",
        "co-responder-attendances",
        "co-responder-time-to-patient",
        "gain-entry-jobs",
        "control-room-transfers",
        "control-room-transfer-time",
        "prevention-visits",
        "partner-calls-answered",
        "cashable-savings",
        "three-cs-clear-vision",
        "three-cs-consistency",
        "three-cs-culture",
        "benefits-realised",
        *STANDARDS_MINUTES,
    ):
        assert key in keys, key
    for spec in found.indicators:
        assert spec.title and spec.description and spec.source and spec.services
        if spec.aggregation == "weighted_mean":
            assert spec.weight_column, spec.key


def test_the_six_response_standards_are_the_readmes_in_seconds() -> None:
    by_key = library.shipped_library().by_key
    for key, (column, minutes) in STANDARDS_MINUTES.items():
        spec = by_key[key]
        assert spec.published_column == column
        assert spec.unit == "seconds" and spec.direction == "decrease"
        assert spec.standard == minutes * 60, key
        assert f"{minutes} minutes" in spec.standard_text
    # The README gives no standard for the Category 3 and 4 means.
    assert by_key["ambsys-c3-mean"].standard is None
    assert by_key["ambsys-c4-mean"].standard is None
    # A mean is weighted by its category's count; a centile is not combined.
    assert by_key["ambsys-c1-mean"].weight_column == "A8"
    assert by_key["ambsys-c2-mean"].weight_column == "A10"
    assert by_key["ambsys-c1-90th"].aggregation == "none"


def test_the_computed_indicators_name_what_accord_works_out() -> None:
    by_key = library.shipped_library().by_key
    assert by_key["three-cs-culture"].computed == "three_cs:culture"
    assert by_key["benefits-realised"].computed == library.REALISED_VS_FORECAST
    assert by_key["benefits-realised"].unit == "percent"


def test_the_files_words_are_the_models_choices() -> None:
    assert tuple(Unit.values) == library.UNITS
    assert tuple(Direction.values) == library.DIRECTIONS
    assert tuple(Frequency.values) == library.FREQUENCIES
    assert tuple(Aggregation.values) == library.AGGREGATIONS


# Checks ------------------------------------------------------------------------------------------


def test_each_problem_names_its_file_line_and_path() -> None:
    text = GOOD.replace("unit: count", "unit: furlongs").replace(
        "direction: increase", "direction: upwards"
    )
    problems = _problems(text)
    assert (
        "lib.yaml, line 5: indicators[0].unit: must be one of seconds, minutes, count, percent, "
        "pounds, ratio, score, got 'furlongs'" in problems
    )
    assert any(p.startswith("lib.yaml, line 6: indicators[0].direction:") for p in problems)


def test_every_problem_is_listed_at_once() -> None:
    text = (
        GOOD.replace("frequency: monthly", "frequency: fortnightly")
        .replace("aggregation: sum", "aggregation: weighted_mean")
        .replace("services: [fire]", "services: [fire, navy]")
        + "  - id: visits\n    title: Again\n    colour: red\n"
    )
    problems = _problems(text)
    assert any("indicators[0].frequency: must be one of monthly" in p for p in problems)
    assert any(
        "indicators[0].weight_column: a weighted mean needs the column" in p for p in problems
    )
    assert any("line 9: indicators[0].services[1]: must be one of police" in p for p in problems)
    assert any(
        "line 11: indicators[1].id: 'visits' is already the id of indicators[0]" in p
        for p in problems
    )
    assert any("line 13: indicators[1].colour: unknown key" in p for p in problems)
    assert any("line 11: indicators[1].unit: required key missing" in p for p in problems)


def test_a_weight_names_a_column_or_another_indicator() -> None:
    weighted = GOOD.replace(
        "aggregation: sum", "aggregation: weighted_mean\n    weight_column: calls"
    )
    assert any("must be the id of another indicator" in p for p in _problems(weighted))
    published = weighted.replace("source: Our records", "source: AmbSYS\n    published_column: A25")
    assert any("must be a column of the AmbSYS file, such as A8" in p for p in _problems(published))
    fine = weighted + GOOD.split("indicators:\n", 1)[1].replace("id: visits", "id: calls")
    assert library.parse_library(fine, "lib.yaml").by_key["visits"].weight_column == "calls"


def test_published_or_computed_not_both_and_known_computations_only() -> None:
    both = GOOD.replace(
        "source: Our records",
        "source: x\n    published_column: A25\n    computed: three_cs:culture",
    )
    assert any("either published" in p for p in _problems(both))
    unknown = GOOD.replace("source: Our records", "source: x\n    computed: weather")
    assert any("must be three_cs:GROUP" in p for p in _problems(unknown))
    bad_column = GOOD.replace("source: Our records", "source: x\n    published_column: B7")
    assert any(
        "must be a column of the AmbSYS file, such as A25" in p for p in _problems(bad_column)
    )


def test_text_that_is_not_yaml_or_is_hostile_is_refused_with_where() -> None:
    assert _problems("indicators: [\n  - id")[0].startswith("lib.yaml: line ")
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}]\n"
        for i in range(8)
    )
    with pytest.raises(Problems) as caught:
        library.parse_library(bomb, "bomb.yaml")
    assert caught.value.refused and "alias bomb" in str(caught.value)
    assert _problems("- just a list") == [
        "lib.yaml, line 1: (top level): must be a mapping of indicators, got a list"
    ]


def test_an_indicator_from_a_form_is_checked_by_the_same_rules() -> None:
    data: dict[str, Any] = yaml.safe_load(GOOD)["indicators"][0]
    data["key"] = data.pop("id")
    data["unit"] = "miles"
    with pytest.raises(Problems) as caught:
        library.check_indicator(data)
    (problem,) = caught.value.problems
    assert problem.field == "unit" and "must be one of seconds" in problem.reason


# Loading into the database -------------------------------------------------------------------


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.mark.django_db
def test_loading_the_shipped_library_twice_adds_it_once() -> None:
    loaded = services.load_shipped_library(ADMIN)
    count = len(library.shipped_library().indicators)
    assert int(loaded) == loaded.created == count and Indicator.objects.count() == count
    assert Indicator.objects.filter(shipped=True).count() == count
    assert _events("kpi.indicator.create") == count
    again = services.load_shipped_library(ADMIN)
    assert int(again) == 0 and again.unchanged == count and not again.kept
    assert _events("kpi.indicator.create") == count and _events("kpi.indicator.update") == 0
    stored = Indicator.objects.get(key="ambsys-c2-90th")
    assert (stored.standard, stored.published_column, stored.unit) == (2400.0, "A32", "seconds")


@pytest.mark.django_db
def test_a_changed_definition_is_updated_while_unused_and_kept_once_adopted(
    collaboration: Any,
) -> None:
    services.load_library(ADMIN, GOOD, "lib.yaml")
    changed = GOOD.replace("title: Visits", "title: Home visits").replace(
        "direction: increase", "direction: neutral"
    )
    loaded = services.load_library(ADMIN, changed, "lib.yaml")
    assert loaded.updated == 1
    event = AuditEvent.objects.filter(action="kpi.indicator.update").get()
    assert _before(event)["direction"] == "increase" and _after(event)["direction"] == "neutral"

    indicator = Indicator.objects.get(key="visits")
    AdoptionFactory(collaboration=collaboration, indicator=indicator, organisation=None)
    kept = services.load_library(ADMIN, GOOD, "lib.yaml")
    assert int(kept) == 0 and [k.key for k in kept.kept] == ["visits"]
    assert set(kept.kept[0].fields) == {"title", "direction"}
    assert "visits: kept as it is (in use)" in kept.sentences()[1]
    indicator.refresh_from_db()
    assert (indicator.title, indicator.direction) == ("Home visits", "neutral")


@pytest.mark.django_db
def test_a_file_with_a_problem_loads_nothing() -> None:
    bad = GOOD + GOOD.split("indicators:\n", 1)[1].replace("id: visits", "id: calls").replace(
        "unit: count", "unit: litres"
    )
    with pytest.raises(Problems):
        services.load_library(ADMIN, bad, "lib.yaml")
    assert Indicator.objects.count() == 0


@pytest.mark.django_db
def test_only_platform_administrators_change_the_library(owner: Any, platform_admin: Any) -> None:
    with pytest.raises(PermissionRefused):
        services.load_library(owner, GOOD, "lib.yaml")
    with pytest.raises(PermissionRefused):
        services.add_indicator(owner, services.IndicatorData(**IndicatorFactory.build()))
    assert services.can_manage_indicators(platform_admin)
    assert not services.can_manage_indicators(owner)
    assert services.load_library(platform_admin, GOOD, "lib.yaml") == 1


@pytest.mark.django_db
def test_an_indicator_in_use_keeps_its_meaning_but_its_words_may_change(
    collaboration: Any,
) -> None:
    indicator: Any = IndicatorFactory(key="transfers", title="Transfers")
    fields = {f: getattr(indicator, f) for f in services.IndicatorData.__dataclass_fields__}
    services.update_indicator(
        ADMIN, indicator, services.IndicatorData(**{**fields, "unit": "ratio"})
    )
    indicator.refresh_from_db()
    assert indicator.unit == "ratio"
    AdoptionFactory(collaboration=collaboration, indicator=indicator)
    with pytest.raises(Problems) as caught:
        services.update_indicator(
            ADMIN,
            indicator,
            services.IndicatorData(**{**fields, "unit": "ratio", "frequency": "annual"}),
        )
    (problem,) = caught.value.problems
    assert problem.field == "frequency" and "in use" in problem.reason
    renamed = services.update_indicator(
        ADMIN,
        indicator,
        services.IndicatorData(**{**fields, "unit": "ratio", "title": "Calls passed on"}),
    )
    assert renamed.title == "Calls passed on"
    assert AuditEvent.objects.filter(action="kpi.indicator.update").count() == 2


@pytest.mark.django_db
def test_an_indicators_id_is_taken_once() -> None:
    IndicatorFactory(key="dup")
    with pytest.raises(Problems) as caught:
        IndicatorFactory(key="dup")
    assert caught.value.problems[0].field == "key"


@pytest.mark.django_db
def test_the_command_loads_the_shipped_library_or_a_file(tmp_path: Path) -> None:
    from accord.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["kpi", "library", "load"]) == 0
    assert "indicators.yaml:" in out.getvalue() and "added" in out.getvalue()
    bad = tmp_path / "mine.yaml"
    bad.write_text(GOOD.replace("unit: count", "unit: furlongs"))
    assert main(["kpi", "library", "load", str(bad)]) == 2
    good = tmp_path / "good.yaml"
    good.write_text(GOOD)
    with redirect_stdout(io.StringIO()):
        assert main(["kpi", "library", "load", str(good)]) == 0
    assert Indicator.objects.filter(key="visits", shipped=False).exists()
