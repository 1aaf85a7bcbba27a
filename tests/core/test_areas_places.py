"""core/places.py, the one way a typed place is matched: by the register's place filter and by
the forms' area fields. Pure: no database."""

from __future__ import annotations

from accord.core.places import PlaceIndex, spellings

AREAS = [
    ("E23000020", "Lincolnshire", "police force area"),
    ("E31000025", "Lincolnshire", "fire and rescue authority area"),
    ("E23000035", "Devon and Cornwall", "police force area"),
    ("E23000024", "Norfolk", "police force area"),
]


def index() -> PlaceIndex[tuple[str, str, str]]:
    return PlaceIndex(
        AREAS,
        code=lambda a: a[0],
        name=lambda a: a[1],
        label=lambda a: f"{a[1]} ({a[2]}, {a[0]})",
    )


def test_spellings_swap_and_and_an_ampersand_and_tidy_the_spaces() -> None:
    assert spellings(" Devon  &   Cornwall ") == {
        "Devon & Cornwall",
        "Devon and Cornwall",
    }
    assert spellings("Devon and Cornwall") == {"Devon and Cornwall", "Devon & Cornwall"}


def test_a_code_finds_its_place_and_a_name_every_place_of_that_name() -> None:
    assert index().find("e23000020") == [AREAS[0]]
    assert index().find("  LINCOLNSHIRE ") == [AREAS[0], AREAS[1]]
    assert index().find("devon & cornwall") == [AREAS[2]]
    assert index().find("Lincs") == []


def test_a_near_miss_suggests_every_place_of_the_closest_names() -> None:
    assert index().suggestions("Lincs") == [AREAS[0], AREAS[1]]
    assert index().suggested_names("Lincs") == ["Lincolnshire"]
    assert index().did_you_mean("Lincs") == (
        " Did you mean Lincolnshire (police force area, E23000020) or Lincolnshire "
        "(fire and rescue authority area, E31000025)?"
    )
    assert index().suggested_names("Devon & Cornwal") == ["Devon and Cornwall"]


def test_suggestions_are_limited_by_names_and_nothing_close_is_no_suggestion() -> None:
    assert index().suggested_names("Lincolnshire Norfolk", limit=1) == ["Lincolnshire"]
    assert index().suggestions("Zzzz") == []
    assert index().did_you_mean("Zzzz") == ""
    assert index().suggestions("   ") == []
