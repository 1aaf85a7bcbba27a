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
