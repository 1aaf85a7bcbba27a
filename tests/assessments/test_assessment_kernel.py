"""The assessments app on the shared kernel: one vocabulary of problems, not-visible as a 404,
the panel from the registry, the threshold read in one place, no import circle."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.assessments.assessment_helpers import ACTOR, framework_version, invite, make_round

from accord.assessments import importers, scoring, services
from accord.assessments.framework import FrameworkError, parse_framework
from accord.assessments.score_cli import main as score_main
from accord.core import panels
from accord.core.problems import NotVisible, PermissionRefused, Problem, Problems
from accord.orgs.models import Organisation

APP = Path(services.__file__).resolve().parent


def test_every_input_error_is_a_problems() -> None:
    for error in (
        FrameworkError,
        scoring.ResponsesError,
        importers.ImportFailed,
        services.FrameworkRefused,
    ):
        assert issubclass(error, Problems)
    assert services.PermissionRefused is PermissionRefused
    with pytest.raises(Problems) as caught:
        parse_framework({"id": "x"}, "x.yaml")
    first = caught.value.problems[0]
    assert isinstance(first, Problem)
    assert first.source == "x.yaml" and first.field == "version"
    assert caught.value.errors == caught.value.problems


@pytest.mark.django_db
def test_a_hidden_round_and_an_unknown_link_are_not_visible(
    make_collaboration: Any, outsider: Any
) -> None:
    hidden = make_round(make_collaboration("Hidden", visibility="partners"))
    with pytest.raises(NotVisible):
        services.get_round(outsider, hidden.pk)
    with pytest.raises(NotVisible):
        services.get_round(outsider, hidden.pk + 1000)
    with pytest.raises(NotVisible):
        services.invitation_for_token("nobody-holds-this")
    client = Client()
    client.force_login(outsider)
    # The middleware turns NotVisible into the same 404 a missing page gets.
    assert client.get(f"/assessments/rounds/{hidden.pk}/").status_code == 404
    assert client.get(f"/assessments/rounds/{hidden.pk + 1000}/").status_code == 404
    assert Client().get("/assessments/respond/nobody-holds-this/").status_code == 404


@pytest.mark.django_db
def test_invitation_problems_name_row_and_column(collaboration: Any) -> None:
    found = make_round(collaboration)
    invite(found, [("a@emas.test", "RX9", "tactical")])
    person = services.Invitee(
        email="a@emas.test", organisation=Organisation.objects.get(code="RX9"), level="tactical"
    )
    with pytest.raises(Problems) as caught:
        services.invite(ACTOR, found, [person])
    (problem,) = caught.value.problems
    assert problem == "Person 1, column email: a@emas.test is already invited to this round"
    assert (problem.row, problem.field) == (1, "email")


@pytest.mark.django_db
def test_a_round_that_closes_before_it_opens_is_a_problem(collaboration: Any) -> None:
    today = dt.date(2026, 3, 1)
    with pytest.raises(Problems) as caught:
        services.create_round(
            ACTOR,
            collaboration,
            services.RoundData(
                title="Backwards",
                framework=framework_version(),
                opens_on=today,
                closes_on=today - dt.timedelta(days=1),
            ),
        )
    assert caught.value.problems[0].field == "closes_on"


@pytest.mark.django_db
def test_the_panel_comes_from_the_registry(collaboration: Any, owner: Any) -> None:
    (panel,) = [p for p in panels.panels("collaboration") if p.name == "assessments"]
    assert panel.template == "assessments/collaboration_panel.html"
    request = type("Request", (), {"user": owner})()
    context = panel.context(request, collaboration)  # type: ignore[arg-type]
    assert context is not None and context["c"] == collaboration and context["can_manage"]
    assert not (APP / "templatetags" / "assessments.py").read_text().count("inclusion_tag")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.append(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
    return found


def test_no_service_imports_an_importer() -> None:
    assert not [m for m in _imports(APP / "services.py") if "importers" in m]


def test_the_threshold_is_read_in_one_place() -> None:
    for name in ("results.py", "score_cli.py", "scoring.py", "views.py"):
        path = APP / name
        if path.exists():
            text = path.read_text(encoding="utf-8")
            assert 'ACCORD_DISCLOSURE_THRESHOLD"' not in text
            assert "os.environ" not in text
            assert 'getattr(settings, "DISCLOSURE_THRESHOLD"' not in text


def test_the_command_refuses_a_bad_threshold(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("ACCORD_DISCLOSURE_THRESHOLD", "0")
    assert score_main(["collaboration-factors", str(tmp_path / "none.csv")]) == 2
    assert "ACCORD_DISCLOSURE_THRESHOLD must be at least 1" in capsys.readouterr().err
