"""`accord import deflators FILE`: the ONS series stored all or nothing, then used for uplift."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from accord import cli as accord_cli
from accord.appraisal import cli, services
from accord.appraisal.models import DeflatorRelease, DeflatorValue
from accord.core.actors import SystemActor
from accord.core.commandline import CommandGroups
from accord.core.models import AuditEvent
from accord.core.problems import PermissionRefused, Problems

pytestmark = pytest.mark.django_db

ONS_FILE = "ons_gdp_deflator_ybgb.csv"


def run(*argv: str) -> int:
    """`accord import ...` through the app's own add_commands, as accord/cli.py wires it."""
    parser = argparse.ArgumentParser(prog="accord")
    root = parser.add_subparsers(dest="command", required=True)
    imports = root.add_parser("import").add_subparsers(dest="what", required=True)
    groups = CommandGroups(root=root, imports=imports, exports=None, user=None)
    cli.add_commands(groups)
    args = parser.parse_args(["import", *argv])
    status: int = args.func(args)
    return status


def test_the_real_ons_file_is_imported_and_used_for_uplift(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert services.deflator_table().origin == "shipped"
    assert run("deflators", str(shared_data / ONS_FILE)) == 0
    assert "financial years 1955-56 to 2024-25" in capsys.readouterr().out
    release = DeflatorRelease.objects.get()
    assert (release.series, str(release.release_date)) == ("YBGB", "2025-06-30")
    assert DeflatorValue.objects.filter(release=release, quarter__isnull=True).count() == 77
    assert DeflatorValue.objects.filter(release=release, quarter__isnull=False).count() == 281
    event = AuditEvent.objects.get(action="deflators.import")
    # By hand from the file: 2022 Q2 99.1, Q3 100.7, Q4 103.2, 2023 Q1 105.0 -> 408.0 / 4.
    assert event.after["financial_years"]["2022-23"] == "102.0"
    table = services.deflator_table()
    assert table.origin == "imported" and table[2022] == 102.0
    assert "Imported on" in table.source and ONS_FILE in table.source
    # Uplift now uses the stored release: 2015-16 (83.75) to 2022-23 (102.0).
    assert services.uplifted(1000, 2015, 2022, table) == pytest.approx(1000 * 102.0 / 83.75)


def test_a_bad_file_names_its_lines_and_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        '"Title","GDP deflator"\n"CDID","YBGB"\n"Release date","30-06-2025"\n'
        '"2022 Q1","97.0"\n"2022 Q2","ninety"\n"2022 Q3","100.7"\n',
        encoding="utf-8",
    )
    assert run("deflators", str(bad)) == 2
    err = capsys.readouterr().err
    assert "bad.csv: Line 5: the index for 2022 Q2 must be a positive number, got 'ninety'" in err
    assert not DeflatorRelease.objects.exists() and not DeflatorValue.objects.exists()
    assert not AuditEvent.objects.filter(action="deflators.import").exists()
    assert services.deflator_table().origin == "shipped"


def test_only_platform_administrators_import(owner: Any, shared_data: Path) -> None:
    data = (shared_data / ONS_FILE).read_bytes()
    with pytest.raises(PermissionRefused):
        services.import_deflators(owner, data, ONS_FILE)
    with pytest.raises(Problems):
        services.import_deflators(SystemActor("test"), b'"CDID","X"\n', "x.csv")
    assert not DeflatorRelease.objects.exists()


def test_the_unit_cost_page_says_which_release_is_in_use(
    client: Client, colleague: Any, shared_data: Path
) -> None:
    client.force_login(colleague)
    page = client.get("/appraisals/unit-costs/").content.decode()
    assert "ONS series YBGB, release of 30 June 2025 (shipped)" in page
    assert "written down by the developer" not in page
    services.import_deflators(SystemActor("test"), (shared_data / ONS_FILE).read_bytes(), ONS_FILE)
    page = client.get("/appraisals/unit-costs/").content.decode()
    assert "ONS series YBGB, release of 30 June 2025 (imported)" in page
    assert "2024-25" in page


def test_accord_import_deflators_on_the_command_line(
    shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert accord_cli.main(["import", "deflators", str(shared_data / ONS_FILE)]) == 0
    assert "Imported YBGB, release of 30 June 2025" in capsys.readouterr().out
    assert services.deflator_table().origin == "imported"
