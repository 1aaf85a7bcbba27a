"""The crossing-edit merge (core/merge.py), with plain values: each person's changes kept, a
field both changed left to choose, and a field neither touched at its current value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from accord.core.merge import (
    MINE,
    MISSING,
    THEIRS,
    align,
    conflicts,
    merge_fields,
    merge_rows,
)

OPENED = {"title": "Pilot", "summary": "Old", "status": "idea", "board": ""}


def merged_values(opened: dict, mine: dict, theirs: dict) -> dict:
    return {name: m.value for name, m in merge_fields(opened, mine, theirs).items()}


def test_two_people_changing_different_fields_keep_both_changes() -> None:
    mine = {**OPENED, "summary": "Mine"}
    theirs = {**OPENED, "title": "Theirs"}
    merged = merge_fields(OPENED, mine, theirs)
    assert {n: m.value for n, m in merged.items()} == {
        "title": "Theirs",
        "summary": "Mine",
        "status": "idea",
        "board": "",
    }
    assert conflicts(merged) == []
    assert merged["summary"].take == MINE and merged["title"].take == THEIRS


def test_a_field_both_changed_differently_is_a_conflict_to_choose() -> None:
    merged = merge_fields(OPENED, {**OPENED, "title": "Mine"}, {**OPENED, "title": "Theirs"})
    assert conflicts(merged) == ["title"]
    title = merged["title"]
    assert (title.mine, title.theirs, title.opened) == ("Mine", "Theirs", "Pilot")
    assert title.resolve(THEIRS) == "Theirs" and title.resolve(MINE) == "Mine"


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    merged = merge_fields(
        OPENED, {**OPENED, "status": "operational"}, {**OPENED, "status": "operational"}
    )
    assert conflicts(merged) == [] and merged["status"].value == "operational"


def test_a_field_neither_touched_keeps_the_current_value_never_the_opened_one() -> None:
    # Someone else changed the board; this person's form still showed the old (blank) one.
    theirs = {**OPENED, "board": "Joint board"}
    assert merged_values(OPENED, dict(OPENED), theirs)["board"] == "Joint board"


def test_without_the_opened_version_every_difference_must_be_chosen() -> None:
    mine = {**OPENED, "title": "Mine"}
    theirs = {**OPENED, "summary": "Theirs"}
    merged = merge_fields(None, mine, theirs)
    assert conflicts(merged) == ["title", "summary"]
    assert merged["status"].value == "idea"  # the same on both sides: nothing to choose


@given(
    st.dictionaries(st.sampled_from("abcde"), st.integers(0, 3)),
    st.dictionaries(st.sampled_from("abcde"), st.integers(0, 3)),
    st.dictionaries(st.sampled_from("abcde"), st.integers(0, 3)),
)
def test_every_merged_value_is_mine_where_i_changed_it_and_theirs_elsewhere(
    opened: dict, mine: dict, theirs: dict
) -> None:
    for name, m in merge_fields(opened, mine, theirs).items():
        changed = mine.get(name, MISSING) != opened.get(name, MISSING)
        assert m.value == (mine.get(name, MISSING) if changed else theirs.get(name, MISSING))
        assert m.conflict == (changed and m.theirs_changed and m.mine != m.theirs)


# Rows --------------------------------------------------------------------------------------


def row(name: str, amount: int = 1, org: str = "E31000025") -> dict:
    return {"name": name, "amounts": [amount, 0], "org": org}


LINES = [row("Vehicles", 100), row("Crew time", 42), row("Training", 7)]


def test_rows_align_through_an_insertion_an_edit_and_a_removal() -> None:
    theirs = [row("Fuel", 5), LINES[0], {**LINES[1], "amounts": [43, 0]}]
    assert align(LINES, theirs) == {0: 1, 1: 2}  # Training was removed, Fuel added


def test_rows_edited_by_each_side_merge_field_by_field() -> None:
    mine = [(0, LINES[0]), (1, {**LINES[1], "org": "RX9"}), (2, LINES[2])]
    theirs = [LINES[0], {**LINES[1], "amounts": [43, 0]}, LINES[2]]
    rows = merge_rows(LINES, mine, theirs)
    assert [r.values() for r in rows] == [
        LINES[0],
        {"name": "Crew time", "amounts": [43, 0], "org": "RX9"},
        LINES[2],
    ]
    assert not any(r.conflict for r in rows)


def test_a_line_each_side_added_is_kept_and_removals_stand() -> None:
    mine = [(0, LINES[0]), (1, LINES[1]), (None, row("Mine", 9))]  # I removed Training
    theirs = [row("Theirs", 8), LINES[0], LINES[1], LINES[2]]  # they added a first line
    rows = merge_rows(LINES, mine, theirs)
    assert [r.values()["name"] for r in rows] == ["Theirs", "Vehicles", "Crew time", "Mine"]
    assert [r.added_by for r in rows] == [THEIRS, None, None, MINE]
    assert not any(r.conflict for r in rows)


def test_a_line_removed_on_one_side_and_changed_on_the_other_is_kept_to_choose() -> None:
    changed = {**LINES[2], "amounts": [8, 0]}
    # They changed Training, I removed it.
    rows = merge_rows(LINES, [(0, LINES[0]), (1, LINES[1])], [LINES[0], LINES[1], changed])
    assert rows[-1].removed_by == MINE and rows[-1].values() == changed
    # They removed Crew time, I changed it: kept where it was, with my change.
    mine = [(0, LINES[0]), (1, {**LINES[1], "name": "Crew hours"}), (2, LINES[2])]
    rows = merge_rows(LINES, mine, [LINES[0], LINES[2]])
    assert [r.values()["name"] for r in rows] == ["Vehicles", "Crew hours", "Training"]
    assert rows[1].removed_by == THEIRS and rows[1].conflict


def test_a_field_of_one_line_both_changed_is_a_conflict_in_that_line() -> None:
    mine = [(0, LINES[0]), (1, {**LINES[1], "amounts": [50, 0]}), (2, LINES[2])]
    theirs = [LINES[0], {**LINES[1], "amounts": [43, 0]}, LINES[2]]
    rows = merge_rows(LINES, mine, theirs)
    assert [conflicts(r.fields) for r in rows] == [[], ["amounts"], []]
    assert rows[1].fields["amounts"].theirs == [43, 0]


def test_rows_without_the_opened_version_pair_by_position_and_differences_conflict() -> None:
    theirs = [LINES[0], {**LINES[1], "amounts": [43, 0]}]
    rows = merge_rows(None, [(0, LINES[0]), (1, LINES[1])], theirs)
    assert [conflicts(r.fields) for r in rows] == [[], ["amounts"]]
