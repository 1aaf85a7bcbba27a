"""The organisations' verbs, driven through a parser built with `accord.orgs.cli.add_commands`
exactly as `accord/cli.py` builds its own: the same groups, the same `func` per verb."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from accord.core.commandline import CommandGroups
from accord.core.models import AuditEvent
from accord.orgs.cli import add_commands
from accord.orgs.models import Area, Organisation, User

pytestmark = pytest.mark.django_db

LOOKUP = (
    "LAD24_CODE,lad24_name,pfa24_code,pfa24_name,fra24_code,fra24_name\n"
    "E07000136,Boston,E23000020,Lincolnshire,E31000025,Lincolnshire\n"
    "E07000137,East Lindsey,E23000020,Lincolnshire,E31000025,Lincolnshire\n"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="accord")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    imports = sub.add_parser("import").add_subparsers(dest="what", required=True, metavar="WHAT")
    exports = sub.add_parser("export").add_subparsers(dest="what", required=True, metavar="WHAT")
    user = sub.add_parser("user").add_subparsers(dest="action", required=True, metavar="ACTION")
    add_commands(CommandGroups(root=sub, imports=imports, exports=exports, user=user))
    return parser


def accord(*argv: str) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.func(args)
    return result


@pytest.mark.parametrize(
    ("command", "usage", "help_text"),
    [
        (["import", "organisations"], "usage: accord import organisations [-h]", None),
        (["import", "areas"], "usage: accord import areas [-h] file", None),
        (["import", "boundaries"], "usage: accord import boundaries [-h] file", None),
        (
            ["user", "add"],
            "usage: accord user add [-h] --org ORG --role",
            "their organisation's code, such as E31000025",
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_every_verb_explains_itself(
    command: list[str], usage: str, help_text: str | None, capsys: Any
) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args([*command, "--help"])
    assert exited.value.code == 0
    out = " ".join(capsys.readouterr().out.split())
    assert usage in out
    if help_text:
        assert help_text in out


def test_the_groups_list_each_verb_with_its_help(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["import", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "organisations the shipped reference organisations (police, fire, ambulance...)" in out
    assert "areas districts and their areas from an ONS lookup CSV" in out
    assert "boundaries area polygons from a GeoJSON FeatureCollection" in out
    with pytest.raises(SystemExit):
        build_parser().parse_args(["user", "--help"])
    assert "add add a person" in " ".join(capsys.readouterr().out.split())


def test_import_organisations_reports_how_many_changed_and_restores_a_renamed_one(
    capsys: Any,
) -> None:
    assert accord("import", "organisations") == 0
    assert capsys.readouterr().out.startswith("Reference organisations: 0 created or updated.\n")
    rt4 = Organisation.objects.get(code="RT4")
    shipped_name = rt4.name
    Organisation.objects.filter(pk=rt4.pk).update(name="An outdated name")
    assert accord("import", "organisations") == 0
    assert capsys.readouterr().out.startswith("Reference organisations: 1 created or updated.\n")
    rt4.refresh_from_db()
    assert rt4.name == shipped_name
    event = AuditEvent.objects.filter(action="organisation.update", object_id=str(rt4.pk)).get()
    assert event.actor_label == "system (command line)"


def test_import_areas_prints_its_summary_and_audits_as_the_operator(
    tmp_path: Path, capsys: Any
) -> None:
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP)
    assert accord("import", "areas", str(lookup)) == 0
    assert capsys.readouterr().out == "created: 4, updated: 0, links: 4\n"
    boston = Area.objects.get(code="E07000136")
    assert set(boston.within.values_list("code", flat=True)) == {"E23000020", "E31000025"}
    event = AuditEvent.objects.get(action="areas.import")
    assert event.actor_label == "system (command line)"
    assert event.after == {"created": 4, "updated": 0, "links": 4}


def test_a_bad_lookup_prints_every_problem_one_a_line_and_writes_nothing(
    tmp_path: Path, capsys: Any
) -> None:
    lookup = tmp_path / "lookup.csv"
    lookup.write_text(LOOKUP + ",Nowhere,E23000020,Lincolnshire,,Lincolnshire\n")
    assert accord("import", "areas", str(lookup)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        f"{lookup}: line 4, column LAD24_CODE: empty code",
        f"{lookup}: line 4, column fra24_code: empty code",
    ]
    assert Area.objects.count() == 0


def test_import_boundaries_prints_its_summary(tmp_path: Path, capsys: Any) -> None:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}
    path = tmp_path / "forces.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "properties": {"PFA20CD": "E23000020", "PFA20NM": "Lincolnshire"},
                        "geometry": square,
                    }
                ],
            }
        )
    )
    assert accord("import", "boundaries", str(path)) == 0
    assert capsys.readouterr().out == "created: 1, updated: 0\n"
    area = Area.objects.get(code="E23000020")
    assert (area.kind, area.boundary) == ("police_force_area", square)
    assert Organisation.objects.get(code="E23000020").area == area


def test_a_missing_file_is_an_os_error_for_the_command_line_to_name(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        accord("import", "areas", str(tmp_path / "absent.csv"))


def test_user_add_prints_the_person_and_a_generated_password_once(capsys: Any) -> None:
    assert (
        accord(
            "user",
            "add",
            "Ann@Lincs-Fire.test",
            "--org",
            "E31000025",
            "--role",
            "moderator",
            "--name",
            "Ann Example",
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "Added ann@lincs-fire.test (moderator, E31000025)."
    assert lines[1].startswith("Password: ")
    ann = User.objects.get(email="ann@lincs-fire.test")
    assert ann.check_password(lines[1].removeprefix("Password: "))
    assert (ann.first_name, ann.last_name, ann.role) == ("Ann", "Example", "moderator")
    assert AuditEvent.objects.filter(action="user.create", object_id=str(ann.pk)).exists()


def test_user_add_with_a_password_does_not_print_it(capsys: Any) -> None:
    password = "a-long-enough-passphrase"
    assert (
        accord(
            "user",
            "add",
            "bo@emas.test",
            "--org",
            "RX9",
            "--role",
            "reader",
            "--password",
            password,
        )
        == 0
    )
    assert capsys.readouterr().out == "Added bo@emas.test (reader, RX9).\n"
    assert User.objects.get(email="bo@emas.test").check_password(password)


def test_user_add_names_every_problem_with_its_option(capsys: Any) -> None:
    assert accord("user", "add", "nobody", "--org", "NOPE", "--role", "reader") == 2
    assert capsys.readouterr().err.splitlines() == [
        "accord user add: email: 'nobody' is not an email address",
        "accord user add: org: no organisation has the code 'NOPE'",
    ]
    assert not User.objects.filter(email="nobody").exists()


def test_user_add_refuses_an_unknown_role_before_reaching_the_database(capsys: Any) -> None:
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(["user", "add", "a@b.test", "--org", "RX9", "--role", "chief"])
    assert exited.value.code == 2
    assert "invalid choice: 'chief'" in capsys.readouterr().err
