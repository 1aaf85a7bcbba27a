"""Scoring of assessment responses: pure, vectorised with numpy.

Responses (read and checked by ``responses.py``, whose public names are re-exported here) are
a float matrix, respondents by items, with NaN where the answer is "not applicable". Barrier
items are reversed (``min + max - x``) so that higher is always better, and an item marked
``reverse`` (worded against its factor) once more. A respondent's factor
score is the mean of their answered items in the factor; their group score is the mean of their
factor scores in the group. For a set of respondents each factor and group gets n, mean, sample
standard deviation and a 95% t-interval; breakdowns by organisation and by level; divergence
between organisations; change between two rounds with Welch's t-test; and disclosure control,
which shows nothing for any group of fewer than k respondents, and withholds as many more
figures as it takes so that no withheld one can be worked out from those shown (by subtracting
the shown groups from the total, or one breakdown from another).

Pure module: imports no Django; from the kernel only ``accord.core.disclosure``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt
from scipy import stats

from accord.assessments.framework import Framework
from accord.assessments.responses import (
    LEVELS,
    NA_VALUES,
    Responses,
    ResponsesError,
    _or_list,
    parse_answer,
    parse_responses_csv,
    responses_from_records,
)
from accord.core import disclosure

__all__ = [
    "BREAKDOWNS",
    "DEFAULT_K",
    "DIVERGENCE_THRESHOLD",
    "LEVELS",
    "NA_VALUES",
    "PROTECTING",
    "SUPPRESSED",
    "Cell",
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

FloatArray: TypeAlias = npt.NDArray[np.float64]
IntArray: TypeAlias = npt.NDArray[np.intp]

BREAKDOWNS: tuple[str, ...] = ("organisation", "level")
"""What results can be broken down by."""

DEFAULT_K = disclosure.DEFAULT
"""The disclosure threshold when none is given: no figures for a group of fewer than this many
respondents (the platform's default, from the one place it is written)."""

DIVERGENCE_THRESHOLD = 1.0
"""A gap between two organisations' means of at least this much is flagged."""

JSON_DIGITS: int | None = None
"""Decimal places of the figures in JSON output: None, full precision. Machine outputs (the
command's JSON, the API, exports) never round; pages round for reading."""

_EPSILON = 1e-9
_MAX_MATRIX_ERRORS = 100


# --------------------------------------------------------------------------------------------
# Respondent scores


@dataclass(frozen=True, eq=False)
class RespondentScores:
    """Each respondent's factor and group scores (NaN where they have none)."""

    respondents: tuple[str, ...]
    factor_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    factors: FloatArray  # respondents x factors
    groups: FloatArray  # respondents x groups

    def combined(self) -> FloatArray:
        """Factor columns then group columns."""
        return np.concatenate([self.factors, self.groups], axis=1)


@dataclass(frozen=True, eq=False)
class _Layout:
    """Where a framework's items, factors and groups sit in the matrices.

    Reversing a barrier's answer is linear (``min + max - x``), so each answer x counts as
    ``offset + sign * x`` with sign -1 and offset min + max for barrier items (1 and 0
    otherwise). A factor's sum is then ``filled @ signed + answered @ offsets`` and its count
    ``answered @ membership``: matrix products, no pass over the answers to reverse them.
    """

    signed: FloatArray  # items x factors: sign where the item is in the factor
    offsets_and_membership: FloatArray  # items x (2 factors): offset, then 1, where in factor
    groups: FloatArray  # factors x groups, 1 where the factor is in the group


_LAYOUTS: dict[int, tuple[Framework, _Layout]] = {}


def _layout(framework: Framework) -> _Layout:
    cached = _LAYOUTS.get(id(framework))
    if cached is not None and cached[0] is framework:
        return cached[1]
    n_items, n_factors = len(framework.item_ids), len(framework.factors)
    signed = np.zeros((n_items, n_factors))
    offsets = np.zeros((n_items, n_factors))
    membership = np.zeros((n_items, n_factors))
    reversed_sum = framework.scale.min + framework.scale.max
    column = 0
    for index, factor in enumerate(framework.factors):
        for item in factor.items:
            # A barrier's statements are reversed; one marked `reverse` once more.
            flipped = factor.scores_reversed(item)
            membership[column, index] = 1.0
            signed[column, index] = -1.0 if flipped else 1.0
            offsets[column, index] = reversed_sum if flipped else 0.0
            column += 1
    groups = np.zeros((n_factors, len(framework.groups)))
    group_index = {group.id: index for index, group in enumerate(framework.groups)}
    for index, factor in enumerate(framework.factors):
        if factor.group is not None:
            groups[index, group_index[factor.group]] = 1.0
    layout = _Layout(
        signed=signed,
        offsets_and_membership=np.concatenate([offsets, membership], axis=1),
        groups=groups,
    )
    if len(_LAYOUTS) > 64:
        _LAYOUTS.clear()
    _LAYOUTS[id(framework)] = (framework, layout)
    return layout


def _aligned_answers(framework: Framework, responses: Responses) -> FloatArray:
    """The answers in framework item order (not to be written to)."""
    if responses.item_ids == framework.item_ids:
        return responses.answers
    have = set(responses.item_ids)
    want = set(framework.item_ids)
    problems: list[str] = []
    missing = [item for item in framework.item_ids if item not in have]
    if missing:
        problems.append(f"missing answers for item(s): {', '.join(missing)}")
    extra = [item for item in responses.item_ids if item not in want]
    if extra:
        problems.append(f"item(s) not in framework {framework.id!r}: {', '.join(extra)}")
    if problems:
        raise ResponsesError(problems)
    position = {item: index for index, item in enumerate(responses.item_ids)}
    index = np.asarray([position[item] for item in framework.item_ids], dtype=np.intp)
    return np.asarray(responses.answers[:, index], dtype=np.float64)


def _check_scale(
    framework: Framework, responses: Responses, matrix: FloatArray, filled: FloatArray
) -> None:
    """Raise ``ResponsesError`` naming every answer that is not a whole number on the scale."""
    low, high = framework.scale.min, framework.scale.max
    if matrix.size == 0:
        return
    smallest, largest = np.fmin.reduce(matrix, axis=None), np.fmax.reduce(matrix, axis=None)
    all_na = bool(np.isnan(smallest))
    if all_na or (
        low <= smallest and largest <= high and bool(np.array_equal(filled, np.floor(filled)))
    ):
        return
    with np.errstate(invalid="ignore"):
        bad = ~np.isnan(matrix) & ((matrix < low) | (matrix > high) | (matrix != np.floor(matrix)))
    rows, cols = np.nonzero(bad)
    problems = [
        f"respondent {responses.respondents[r]!r}, item {framework.item_ids[c]!r}: "
        f"{matrix[r, c]:g} is not a whole number from {low} to {high}"
        for r, c in zip(rows[:_MAX_MATRIX_ERRORS], cols[:_MAX_MATRIX_ERRORS], strict=True)
    ]
    if len(rows) > _MAX_MATRIX_ERRORS:
        problems.append(f"... and {len(rows) - _MAX_MATRIX_ERRORS} more")
    raise ResponsesError(problems)


def respondent_scores(framework: Framework, responses: Responses) -> RespondentScores:
    """Every respondent's factor and group scores (NaN where they have none).

    Raises ``ResponsesError`` if the items do not match the framework's or an answer is not a
    whole number on its scale.
    """
    layout = _layout(framework)
    matrix = _aligned_answers(framework, responses)
    answered = ~np.isnan(matrix)
    filled = np.where(answered, matrix, 0.0)
    _check_scale(framework, responses, matrix, filled)
    n_factors = len(framework.factors)
    # Sums (with barriers reversed) and counts of answered items per factor; exact, as the
    # values are small whole numbers.
    offsets_and_counts = answered.astype(np.float64) @ layout.offsets_and_membership
    sums = filled @ layout.signed + offsets_and_counts[:, :n_factors]
    counts = offsets_and_counts[:, n_factors:]
    with np.errstate(invalid="ignore", divide="ignore"):
        factors = np.where(counts > 0, sums / counts, np.nan)
    has_factor = counts > 0
    factor_sums = np.where(has_factor, factors, 0.0) @ layout.groups
    factor_counts = has_factor.astype(np.float64) @ layout.groups
    with np.errstate(invalid="ignore", divide="ignore"):
        groups = np.where(factor_counts > 0, factor_sums / factor_counts, np.nan)
    return RespondentScores(
        respondents=responses.respondents,
        factor_ids=framework.factor_ids,
        group_ids=framework.group_ids,
        factors=factors,
        groups=groups,
    )


# --------------------------------------------------------------------------------------------
# Summaries and results


@dataclass(frozen=True)
class Summary:
    """n, mean, sample sd (ddof 1) and 95% t-interval of the scores of a set of respondents.

    ``mean`` is None when n is 0; ``sd``, ``ci_low`` and ``ci_high`` are None when n < 2.
    """

    n: int
    mean: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return {
            "n": self.n,
            "mean": _round(self.mean, digits),
            "sd": _round(self.sd, digits),
            "ci_low": _round(self.ci_low, digits),
            "ci_high": _round(self.ci_high, digits),
        }


@dataclass(frozen=True)
class Suppressed:
    """Figures withheld by disclosure control: fewer than k respondents, or (with
    ``protects_another``) enough respondents but withheld so that another withheld group's
    figures cannot be worked out by subtraction.

    Both look alike in JSON (``{"suppressed": true}``, the command's and the API's contract);
    pages say which it is.
    """

    suppressed: Literal[True] = True
    protects_another: bool = False

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return {"suppressed": True}


SUPPRESSED = Suppressed()
PROTECTING = Suppressed(protects_another=True)
"""A figure withheld only to protect another group's (secondary suppression)."""


@dataclass(frozen=True)
class SetResult:
    """Results for one set of respondents: n (respondents in the set), factors and groups."""

    n: int
    factors: dict[str, Summary | Suppressed]
    groups: dict[str, Summary | Suppressed]

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return {
            "n": self.n,
            "factors": {key: value.to_dict(digits) for key, value in self.factors.items()},
            "groups": {key: value.to_dict(digits) for key, value in self.groups.items()},
        }


@dataclass(frozen=True)
class Result:
    """Scores of a set of respondents after disclosure control, optionally broken down."""

    framework: str
    version: int
    k: int
    overall: SetResult | Suppressed
    by: str | None = None
    breakdown: dict[str, SetResult | Suppressed] | None = None
    counts: CountDisclosure | None = field(default=None, compare=False)

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return to_json_dict(self, digits)


def _round(value: float | None, digits: int | None) -> float | None:
    if value is None:
        return None
    return float(value) if digits is None else round(float(value), digits)


def _float(value: np.floating[Any] | float) -> float | None:
    number = float(value)
    return None if math.isnan(number) else number


@dataclass(frozen=True, eq=False)
class _Stats:
    """Statistics of score columns per segment of rows (the whole set, or one organisation or
    level each): arrays of segments x columns, factor columns then group columns."""

    rows: IntArray  # respondents in each segment
    n: IntArray
    mean: FloatArray
    sd: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    keys: tuple[str, ...] = ()

    def summary(self, segment: int, column: int) -> Summary:
        n = int(self.n[segment, column])
        return Summary(
            n=n,
            mean=_float(self.mean[segment, column]) if n else None,
            sd=_float(self.sd[segment, column]) if n >= 2 else None,
            ci_low=_float(self.ci_low[segment, column]) if n >= 2 else None,
            ci_high=_float(self.ci_high[segment, column]) if n >= 2 else None,
        )


def _segment_stats(
    values: FloatArray, segment_of_row: IntArray, segments: int, keys: tuple[str, ...] = ()
) -> _Stats:
    """Column statistics of the rows in each segment (``segment_of_row`` numbers them)."""
    columns = values.shape[1]
    if segments == 1:  # the whole set: plain column sums
        valid = ~np.isnan(values)
        filled = np.where(valid, values, 0.0)
        n = valid.sum(axis=0, dtype=np.intp)[np.newaxis, :]
        sums = filled.sum(axis=0)[np.newaxis, :]
    else:
        values = np.asfortranarray(values)  # contiguous columns for bincount
        valid = ~np.isnan(values)
        filled = np.where(valid, values, 0.0)
        n = np.zeros((segments, columns), dtype=np.intp)
        sums = np.zeros((segments, columns))
        for column in range(columns):
            weights = valid[:, column]
            n[:, column] = np.bincount(segment_of_row, weights=weights, minlength=segments)
            weights = filled[:, column]
            sums[:, column] = np.bincount(segment_of_row, weights=weights, minlength=segments)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / n
        deviations = np.where(valid, values - mean[segment_of_row], 0.0)
        squares = deviations * deviations
        if segments == 1:
            sum_squares = squares.sum(axis=0)[np.newaxis, :]
        else:
            sum_squares = np.zeros((segments, columns))
            for column in range(columns):
                sum_squares[:, column] = np.bincount(
                    segment_of_row, weights=squares[:, column], minlength=segments
                )
        enough = n >= 2
        sd = np.where(enough, np.sqrt(sum_squares / np.maximum(n - 1, 1)), np.nan)
        t_crit = np.asarray(stats.t.ppf(0.975, np.maximum(n - 1, 1)), dtype=np.float64)
        half = t_crit * sd / np.sqrt(np.maximum(n, 1))
    return _Stats(
        rows=np.bincount(segment_of_row, minlength=segments).astype(np.intp),
        n=n,
        mean=np.where(n > 0, mean, np.nan),
        sd=sd,
        ci_low=np.where(enough, mean - half, np.nan),
        ci_high=np.where(enough, mean + half, np.nan),
        keys=keys,
    )


_SHOWN, _HIDDEN, _PROTECTING = 0, 1, 2
"""Disclosure states of a cell: shown; withheld (n < k); withheld to protect another."""


def _set_result(
    framework: Framework, table: _Stats, segment: int, states: IntArray | None
) -> SetResult:
    """The result for one segment; with ``states`` (one per column), withheld cells suppressed."""
    n_factors = len(framework.factors)
    cells: list[Summary | Suppressed] = []
    for column in range(n_factors + len(framework.groups)):
        state = _SHOWN if states is None else int(states[column])
        if state == _HIDDEN:
            cells.append(SUPPRESSED)
        elif state == _PROTECTING:
            cells.append(PROTECTING)
        else:
            cells.append(table.summary(segment, column))
    return SetResult(
        n=int(table.rows[segment]),
        factors=dict(zip(framework.factor_ids, cells[:n_factors], strict=True)),
        groups=dict(zip(framework.group_ids, cells[n_factors:], strict=True)),
    )


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(
            f"k (the disclosure threshold) must be a whole number of at least 1: {k!r}"
        )


def _overall_stats(scores: FloatArray) -> _Stats:
    rows = np.zeros(scores.shape[0], dtype=np.intp)
    return _segment_stats(scores, rows, 1, ("overall",))


def _check_by(by: str) -> None:
    if by not in BREAKDOWNS:
        raise ValueError(f"cannot break down by {by!r} (expected {_or_list(BREAKDOWNS)})")


def _segments(responses: Responses, by: str) -> tuple[tuple[str, ...], IntArray]:
    """The organisations or levels present (in the order shown) and each respondent's."""
    _check_by(by)
    labels = responses.organisations if by == "organisation" else responses.levels
    if not labels:
        return (), np.zeros(0, dtype=np.intp)
    keys, inverse = np.unique(np.asarray(labels, dtype=str), return_inverse=True)
    if by == "level":
        # Present levels in their natural order, not alphabetically.
        order = np.argsort([LEVELS.index(str(key)) for key in keys])
        remap = np.empty(len(keys), dtype=np.intp)
        remap[order] = np.arange(len(keys))
        keys, inverse = keys[order], remap[inverse]
    return tuple(str(key) for key in keys), inverse.astype(np.intp)


# --------------------------------------------------------------------------------------------
# Disclosure control, with complementary (secondary) suppression


@dataclass(frozen=True, eq=False)
class _Disclosure:
    """Every figure the outputs can show for a set of respondents (overall, by organisation,
    by level) and whether each may be shown: states, segments x columns, of _SHOWN, _HIDDEN
    or _PROTECTING. Decided for all three together, because anyone can ask for each of them
    (the command and the API give either breakdown) and put them side by side."""

    counts: CountDisclosure
    overall: _Stats
    organisation: _Stats
    level: _Stats
    overall_states: IntArray
    organisation_states: IntArray
    level_states: IntArray

    def stats(self, by: str) -> tuple[_Stats, IntArray]:
        if by == "organisation":
            return self.organisation, self.organisation_states
        return self.level, self.level_states


def _recoverable(members: FloatArray, shown: npt.NDArray[np.bool_], target: int) -> bool:
    """Whether segment ``target``'s totals are a linear combination of the shown segments'.

    Each shown figure gives a sum (and count, and sum of squares) over the respondents of its
    segment, so whatever is a linear combination of shown segments (the overall minus the
    other organisations; a level minus an organisation inside it) can be worked out exactly;
    anything else cannot.
    """
    rows = members[shown]
    if rows.shape[0] == 0:
        return False
    rank = int(np.linalg.matrix_rank(rows))
    return int(np.linalg.matrix_rank(np.vstack([rows, members[target]]))) == rank


def _protect(
    members: FloatArray,
    hidden: npt.NDArray[np.bool_],
    n: IntArray,
    family: IntArray,
    *,
    keep_overall: bool = False,
) -> npt.NDArray[np.bool_]:
    """Which shown segments to withhold as well, so that no withheld one can be worked out.

    ``members``: segments x atoms (respondents sharing an organisation and a level, with a
    score in the column), 1 where the atom is in the segment. ``family``: 0 for the overall,
    1 for organisations, 2 for levels. While some withheld segment is recoverable, withhold
    one more: the smallest of its own breakdown that makes it unrecoverable, else of the other
    breakdown, else the smallest of its own breakdown (and go on); the overall last of all,
    or never with ``keep_overall`` (a round's number of responses is always shown, so counts
    are protected around it: what cannot be protected then is equal to it anyway).
    """
    hidden = hidden.copy()
    protecting = np.zeros_like(hidden)
    has_atoms = members.any(axis=1)
    while True:
        leak = next(
            (
                int(s)
                for s in np.flatnonzero(hidden & has_atoms)
                if _recoverable(members, ~hidden & has_atoms, int(s))
            ),
            None,
        )
        if leak is None:
            return protecting
        rank_of_family = {int(family[leak]): 0, 0: 2}
        candidates = sorted(
            (int(s) for s in np.flatnonzero(~hidden & has_atoms)),
            key=lambda s: (rank_of_family.get(int(family[s]), 1), int(n[s]), s),
        )
        # The overall is the headline: withheld only when nothing else is left to withhold.
        breakdowns = [s for s in candidates if family[s] != 0]
        if not breakdowns:
            if keep_overall or not candidates:
                return protecting
            breakdowns = candidates
        choice = breakdowns[0]
        for candidate in breakdowns:
            trial = hidden.copy()
            trial[candidate] = True
            if not _recoverable(members, ~trial & has_atoms, leak):
                choice = candidate
                break
        hidden[choice] = True
        protecting[choice] = True


Cell: TypeAlias = tuple[str, str]
"""An organisation and a level: the finest split of a set's respondents any output makes."""


@dataclass(frozen=True)
class CountDisclosure:
    """How many respondents each organisation and each level has, or why that is withheld.

    The number of respondents in all (``total``) is always shown: it is what a round's pages
    say so far ("1 of 5"). Any organisation or level with fewer than k is withheld
    (``SUPPRESSED``), and so is any other whose count would let a withheld one be worked out
    by subtraction from the total or from the other breakdown (``PROTECTING``).
    """

    k: int
    total: int
    organisations: dict[str, int | Suppressed]
    levels: dict[str, int | Suppressed]

    def of(self, by: str, key: str) -> int | Suppressed:
        table = self.organisations if by == "organisation" else self.levels
        return table.get(key, SUPPRESSED)


def _level_order(key: str) -> tuple[int, str]:
    return (LEVELS.index(key) if key in LEVELS else len(LEVELS), key)


def count_disclosure(cells: dict[Cell, int], k: int = DEFAULT_K) -> CountDisclosure:
    """Disclosure control of the numbers of respondents, by organisation and by level.

    ``cells``: respondents per (organisation, level), including cells known to exist with none
    (people invited there who have not answered), since "nobody there answered" is as much a
    small group's secret as "two did". Each organisation's and level's count is a sum of cells,
    as each figure is a sum over respondents, so the rule is the figures' (:func:`_protect`),
    with the total always shown.
    """
    _check_k(k)
    atoms = sorted(cells, key=lambda cell: (cell[0], _level_order(cell[1])))
    org_keys = sorted({org for org, _ in atoms})
    level_keys = sorted({level for _, level in atoms}, key=_level_order)
    total = int(sum(cells.values()))
    if not atoms:
        return CountDisclosure(k=k, total=total, organisations={}, levels={})
    members = np.vstack(
        [
            np.ones((1, len(atoms))),
            np.asarray([[org == key for org, _ in atoms] for key in org_keys], dtype=np.float64),
            np.asarray(
                [[level == key for _, level in atoms] for key in level_keys], dtype=np.float64
            ),
        ]
    )
    n = np.asarray(
        [total]
        + [sum(cells[a] for a in atoms if a[0] == key) for key in org_keys]
        + [sum(cells[a] for a in atoms if a[1] == key) for key in level_keys],
        dtype=np.intp,
    )
    family = np.concatenate(
        [np.zeros(1, np.intp), np.ones(len(org_keys), np.intp), np.full(len(level_keys), 2)]
    ).astype(np.intp)
    hidden = n < k
    hidden[0] = False
    protecting = _protect(members, hidden, n, family, keep_overall=True)
    shown: list[int | Suppressed] = [
        PROTECTING if protecting[s] else SUPPRESSED if hidden[s] else int(n[s])
        for s in range(len(n))
    ]
    return CountDisclosure(
        k=k,
        total=total,
        organisations=dict(zip(org_keys, shown[1 : 1 + len(org_keys)], strict=True)),
        levels=dict(zip(level_keys, shown[1 + len(org_keys) :], strict=True)),
    )


def response_cells(responses: Responses, known: Iterable[Cell] = ()) -> dict[Cell, int]:
    """Respondents per (organisation, level), with the ``known`` cells (invited) as 0 if none."""
    cells: dict[Cell, int] = dict.fromkeys(known, 0)
    for cell in zip(responses.organisations, responses.levels, strict=True):
        cells[cell] = cells.get(cell, 0) + 1
    return cells


def _disclosure(
    scores: FloatArray, responses: Responses, k: int, known: Iterable[Cell] = ()
) -> _Disclosure:
    """Primary suppression (fewer than k respondents), then the counts' disclosure control (an
    organisation or level whose count is withheld is withheld whole), then complementary
    suppression of the figures."""
    org_keys, org_of = _segments(responses, "organisation")
    level_keys, level_of = _segments(responses, "level")
    overall = _overall_stats(scores)
    organisation = _segment_stats(scores, org_of, len(org_keys), org_keys)
    level = _segment_stats(scores, level_of, len(level_keys), level_keys)
    n_orgs, n_levels = len(org_keys), len(level_keys)
    columns = scores.shape[1]
    n_all = np.concatenate([overall.n, organisation.n, level.n], axis=0)
    rows = np.concatenate([overall.rows, organisation.rows, level.rows])
    states = np.where((n_all < k) | (rows < k)[:, np.newaxis], _HIDDEN, _SHOWN).astype(np.intp)
    counts = count_disclosure(response_cells(responses, known), k)
    whole = [counts.of("organisation", key) for key in org_keys] + [
        counts.of("level", key) for key in level_keys
    ]
    for segment, shown in enumerate(whole, start=1):
        if isinstance(shown, Suppressed):
            states[segment, states[segment] == _SHOWN] = _PROTECTING
    family = np.concatenate(
        [np.zeros(1, np.intp), np.ones(n_orgs, np.intp), np.full(n_levels, 2, np.intp)]
    )
    if len(responses) and columns:
        # Atoms: respondents of one organisation at one level; every segment is a union of
        # them, so no finer split can be learnt from the figures.
        atom_of = org_of * n_levels + level_of
        n_atoms = n_orgs * n_levels
        atom_org, atom_level = np.divmod(np.arange(n_atoms), n_levels)
        structure = np.vstack(
            [
                np.ones((1, n_atoms)),
                (atom_org[np.newaxis, :] == np.arange(n_orgs)[:, np.newaxis]),
                (atom_level[np.newaxis, :] == np.arange(n_levels)[:, np.newaxis]),
            ]
        ).astype(np.float64)
        valid = ~np.isnan(scores)
        decided: dict[bytes, npt.NDArray[np.bool_]] = {}
        for column in range(columns):
            present = np.bincount(atom_of, weights=valid[:, column], minlength=n_atoms) > 0
            hidden = states[:, column] != _SHOWN
            if not hidden.any() or hidden.all():
                continue
            key = present.tobytes() + hidden.tobytes() + n_all[:, column].tobytes()
            if key not in decided:
                decided[key] = _protect(structure[:, present], hidden, n_all[:, column], family)
            states[decided[key], column] = _PROTECTING
    return _Disclosure(
        counts=counts,
        overall=overall,
        organisation=organisation,
        level=level,
        overall_states=states[:1],
        organisation_states=states[1 : 1 + n_orgs],
        level_states=states[1 + n_orgs :],
    )


def summarise(framework: Framework, responses: Responses) -> SetResult:
    """Raw results for a set of respondents, WITHOUT disclosure control (for internal use)."""
    scores = respondent_scores(framework, responses).combined()
    return _set_result(framework, _overall_stats(scores), 0, None)


def score_by(
    framework: Framework,
    responses: Responses,
    by: str,
    k: int = DEFAULT_K,
    *,
    known: Iterable[Cell] = (),
) -> dict[str, SetResult | Suppressed]:
    """Results for each organisation or level present, with disclosure control.

    A breakdown group of fewer than k respondents is suppressed; inside a shown group, a factor
    or group with n < k is suppressed; and further figures are suppressed (``PROTECTING``) so
    that none of those can be worked out from the rest; a group whose number of respondents
    is withheld (see :func:`count_disclosure`; ``known`` names the cells with people invited)
    is withheld whole. Organisations are in sorted order, levels in the order strategic,
    tactical, operational.
    """
    _check_k(k)
    _check_by(by)
    scores = respondent_scores(framework, responses).combined()
    return _score_by(framework, _disclosure(scores, responses, k, known), by, k)


def _score_by(
    framework: Framework, control: _Disclosure, by: str, k: int
) -> dict[str, SetResult | Suppressed]:
    table, states = control.stats(by)
    breakdown: dict[str, SetResult | Suppressed] = {}
    for segment, key in enumerate(table.keys):
        count = control.counts.of(by, key)
        if table.rows[segment] < k:
            breakdown[key] = SUPPRESSED
        elif isinstance(count, Suppressed):
            # Enough respondents, but their number would give another group's away: its
            # figures would carry it (each figure's n), so the group is withheld whole.
            breakdown[key] = PROTECTING
        else:
            breakdown[key] = _set_result(framework, table, segment, states[segment])
    return breakdown


def score(
    framework: Framework,
    responses: Responses,
    k: int = DEFAULT_K,
    by: str | None = None,
    *,
    known: Iterable[Cell] = (),
) -> Result:
    """Results for a set of respondents with disclosure control, optionally broken down.

    The overall is suppressed if fewer than k respondents; otherwise each factor and group with
    n < k is suppressed, and so is any that would let a suppressed breakdown figure be worked
    out by subtraction (the same whether or not a breakdown is asked for). ``counts`` says
    which organisations' and levels' numbers of respondents may be shown; ``known`` names the
    (organisation, level) cells where people were invited, answered or not.
    """
    _check_k(k)
    if by is not None:
        _check_by(by)
    scores = respondent_scores(framework, responses).combined()
    control = _disclosure(scores, responses, k, known)
    overall: SetResult | Suppressed
    if len(responses) < k:
        overall = SUPPRESSED
    else:
        overall = _set_result(framework, control.overall, 0, control.overall_states[0])
    breakdown = _score_by(framework, control, by, k) if by is not None else None
    return Result(
        framework=framework.id,
        version=framework.version,
        k=k,
        overall=overall,
        by=by,
        breakdown=breakdown,
        counts=control.counts,
    )


def to_json_dict(result: Result, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
    """Plain JSON-ready data at full precision (rounded to ``digits`` places only if asked)."""
    data: dict[str, Any] = {
        "framework": result.framework,
        "version": result.version,
        "k": result.k,
        "overall": result.overall.to_dict(digits),
    }
    if result.by is not None:
        data["by"] = result.by
        data["breakdown"] = {
            key: value.to_dict(digits) for key, value in (result.breakdown or {}).items()
        }
    return data


# --------------------------------------------------------------------------------------------
# Divergence between organisations


@dataclass(frozen=True)
class FactorDivergence:
    """The largest gap between two organisations' means for a factor.

    Only organisations whose figure for the factor is shown are compared (n at least k, and not
    withheld to protect another: a gap to a withheld mean would give it away). ``gap`` is None when
    fewer than two are. ``flagged`` when the gap is at least the threshold (1.0).
    """

    factor: str
    compared: tuple[str, ...]
    gap: float | None
    highest: str | None
    lowest: str | None
    flagged: bool

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return {
            "compared": list(self.compared),
            "gap": _round(self.gap, digits),
            "highest": self.highest,
            "lowest": self.lowest,
            "flagged": self.flagged,
        }


def divergence(
    framework: Framework,
    responses: Responses,
    k: int = DEFAULT_K,
    threshold: float = DIVERGENCE_THRESHOLD,
    *,
    known: Iterable[Cell] = (),
) -> dict[str, FactorDivergence]:
    """For each factor, the largest gap between organisations' means, flagged at >= threshold."""
    _check_k(k)
    scores = respondent_scores(framework, responses).combined()
    control = _disclosure(scores, responses, k, known)
    table, states = control.organisation, control.organisation_states
    result: dict[str, FactorDivergence] = {}
    for column, factor_id in enumerate(framework.factor_ids):
        eligible = [s for s in range(len(table.keys)) if states[s, column] == _SHOWN]
        if len(eligible) < 2:
            result[factor_id] = FactorDivergence(
                factor=factor_id,
                compared=tuple(table.keys[s] for s in eligible),
                gap=None,
                highest=None,
                lowest=None,
                flagged=False,
            )
            continue
        means = table.mean[eligible, column]
        high, low = eligible[int(np.argmax(means))], eligible[int(np.argmin(means))]
        gap = float(np.max(means) - np.min(means))
        result[factor_id] = FactorDivergence(
            factor=factor_id,
            compared=tuple(table.keys[s] for s in eligible),
            gap=gap,
            highest=table.keys[high],
            lowest=table.keys[low],
            flagged=gap >= threshold - _EPSILON,
        )
    return result


# --------------------------------------------------------------------------------------------
# Change between two rounds


@dataclass(frozen=True)
class Change:
    """Change in a factor or group between two rounds: later minus earlier, Welch's p-value.

    ``difference`` and ``p_value`` are None where either side has n < 2. When neither side
    varies, ``p_value`` is None if the means are equal and 0 if they differ.
    """

    earlier_n: int
    later_n: int
    earlier_mean: float | None
    later_mean: float | None
    difference: float | None
    p_value: float | None

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return {
            "earlier_n": self.earlier_n,
            "later_n": self.later_n,
            "earlier_mean": _round(self.earlier_mean, digits),
            "later_mean": _round(self.later_mean, digits),
            "difference": _round(self.difference, digits),
            "p_value": _round(self.p_value, digits),
        }


@dataclass(frozen=True)
class Comparison:
    """Change per factor and group between two rounds, with disclosure control."""

    framework: str
    version: int
    k: int
    factors: dict[str, Change | Suppressed]
    groups: dict[str, Change | Suppressed]

    def to_dict(self, digits: int | None = JSON_DIGITS) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "version": self.version,
            "k": self.k,
            "factors": {key: value.to_dict(digits) for key, value in self.factors.items()},
            "groups": {key: value.to_dict(digits) for key, value in self.groups.items()},
        }


def _varies(values: FloatArray) -> bool:
    # Scores are means of small whole numbers: two that should be equal may differ in the last
    # bit (a group score's factors averaged in another order), which is not variation.
    return float(np.ptp(values)) > _EPSILON


def _welch_p(earlier: FloatArray, later: FloatArray) -> float | None:
    """Welch's two-sided p-value, or None where it is undefined.

    When neither round varies the statistic is a difference over a zero standard error: p is
    null when the means are equal (nothing to test) and 0 when they differ (every answer of
    one round differs from every answer of the other by the same amount), as
    docs/assessments.md says. The case is decided here, not left to scipy: its mean of a
    constant column can be off in the last bit, and it then reports p = 0.05 for two rounds
    that gave exactly the same answers.
    """
    if not _varies(earlier) and not _varies(later):
        return None if math.isclose(earlier[0], later[0], abs_tol=_EPSILON) else 0.0
    with warnings.catch_warnings():
        # scipy warns of precision loss when one side does not vary; its answer stands.
        warnings.simplefilter("ignore", RuntimeWarning)
        result = stats.ttest_ind(later, earlier, equal_var=False)
    return _float(float(result.pvalue))


def compare_rounds(
    framework: Framework,
    earlier: Responses,
    later: Responses,
    k: int = DEFAULT_K,
    *,
    known: tuple[Iterable[Cell], Iterable[Cell]] = ((), ()),
) -> Comparison:
    """Change between two rounds per factor and group: later mean minus earlier mean and the
    two-sided p-value of Welch's t-test. A factor or group is suppressed unless both rounds
    have n >= k for it, and also where either round's overall figure is withheld to protect
    another (its mean would show here)."""
    _check_k(k)
    before = respondent_scores(framework, earlier).combined()
    after = respondent_scores(framework, later).combined()
    protected = (_disclosure(before, earlier, k, known[0]).overall_states[0] == _PROTECTING) | (
        _disclosure(after, later, k, known[1]).overall_states[0] == _PROTECTING
    )
    cells: list[Change | Suppressed] = []
    for column in range(before.shape[1]):
        a = before[:, column][~np.isnan(before[:, column])]
        b = after[:, column][~np.isnan(after[:, column])]
        if len(a) < k or len(b) < k:
            cells.append(SUPPRESSED)
            continue
        if protected[column]:
            cells.append(PROTECTING)
            continue
        enough = len(a) >= 2 and len(b) >= 2
        mean_a = float(a.mean()) if len(a) else None
        mean_b = float(b.mean()) if len(b) else None
        cells.append(
            Change(
                earlier_n=len(a),
                later_n=len(b),
                earlier_mean=mean_a,
                later_mean=mean_b,
                difference=(mean_b - mean_a)
                if enough and mean_a is not None and mean_b is not None
                else None,
                p_value=_welch_p(a, b) if enough else None,
            )
        )
    n_factors = len(framework.factors)
    return Comparison(
        framework=framework.id,
        version=framework.version,
        k=k,
        factors=dict(zip(framework.factor_ids, cells[:n_factors], strict=True)),
        groups=dict(zip(framework.group_ids, cells[n_factors:], strict=True)),
    )
