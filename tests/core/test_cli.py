from typing import Any

import pytest

from accord.cli import build_parser
from accord.cli import main as accord

COMMANDS = [
    ["serve"],
    ["migrate"],
    ["demo"],
    ["import", "organisations"],
    ["import", "areas"],
    ["import", "boundaries"],
    ["import", "collaborations"],
    ["export", "collaborations"],
    ["user", "add"],
    ["audit", "verify"],
    ["bench"],
    ["assess", "score"],
    ["appraise"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_explains_itself(command: list[str], capsys: Any) -> None:
    try:
        code = accord([*command, "--help"])
    except SystemExit as exited:
        code = int(exited.code or 0)
    assert code == 0
    assert f"usage: accord {' '.join(command)}" in capsys.readouterr().out


def test_the_top_level_help_lists_every_command() -> None:
    text = build_parser().format_help()
    for name in (
        "serve",
        "demo",
        "import",
        "export",
        "user",
        "audit",
        "bench",
        "assess",
        "appraise",
    ):
        assert name in text


@pytest.mark.django_db
def test_demo_loads_the_briefing_examples_and_prints_working_logins(capsys: Any) -> None:
    from accord.orgs.models import User
    from accord.register.models import Collaboration

    assert accord(["demo"]) == 0
    out = capsys.readouterr().out
    assert set(Collaboration.objects.values_list("reference", flat=True)) == {
        "H3",
        "NORTHANTS-SS",
        "JACP",
        "JPSC",
        "MAIT",
        "PSTN-SURREY-SUSSEX",
        "CRIT",
    }
    jacp = Collaboration.objects.get(reference="JACP")
    assert {p.organisation.code for p in jacp.partners.all()} == {"E31000025", "RX9", "X-LIVES"}
    assert jacp.funding_amount == 491000
    line = next(line for line in out.splitlines() if "admin@demo.accord.test" in line)
    password = line.split("password: ")[1].strip()
    admin = User.objects.get(email="admin@demo.accord.test")
    assert admin.check_password(password) and admin.is_platform_admin
    # Running it again adds nothing twice.
    assert accord(["demo"]) == 0
    assert Collaboration.objects.count() == 7


@pytest.mark.django_db
def test_a_missing_file_is_a_clear_message_not_a_traceback(capsys: Any) -> None:
    assert accord(["import", "collaborations", "/nonexistent/collaborations.csv"]) == 2
    assert "/nonexistent/collaborations.csv: No such file or directory" in capsys.readouterr().err


def test_an_unmigrated_database_says_to_migrate(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "ACCORD_DATA_DIR": str(tmp_path), "DATABASE_URL": ""}
    result = subprocess.run(
        [sys.executable, "-m", "accord.cli", "audit", "verify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "run `accord migrate`" in result.stderr


def test_bench_measures_every_page_against_the_minimal_page(tmp_path: Any) -> None:
    """A small run of `accord bench`, in its own process as it must be: it reports every page
    the issue names, with its ratio to the minimal page, and writes the Markdown table."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    output = tmp_path / "bench.md"
    accord_command = Path(sys.executable).with_name("accord")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [
            str(accord_command),
            "bench",
            "--collaborations",
            "30",
            "--users",
            "10",
            "--organisations",
            "116",
            "--requests",
            "3",
            "--export-requests",
            "1",
            "--no-engines",
            "--output",
            str(output),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    table = output.read_text(encoding="utf-8")
    for page in (
        "| Minimal page (the accessibility statement: the layout and fixed text, no data) "
        "| `/accessibility/` |",
        "| List | `/collaborations/` |",
        "| List, filtered |",
        "| List, searched | `/collaborations/?q=fire` |",
        "| List, first after a change |",
        "| Detail |",
        "| Export CSV, all visible |",
    ):
        assert page in table, page
    assert "baseline" in table
    assert "30 collaborations" in table
