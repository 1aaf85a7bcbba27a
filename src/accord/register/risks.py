"""Sustainability risks the research names, as flags on a collaboration. Pure."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

ENDED = ("closed", "stopped")
#: The agreement's two flags: a fact ("no") and a gap in the record ("not known").
NO_AGREEMENT = "no_agreement"
AGREEMENT_NOT_RECORDED = "agreement_not_recorded"


@dataclass(frozen=True)
class Risk:
    code: str
    message: str


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (earlier if negative), clamped to the end of a shorter
    month: 31 March one month back is 28 or 29 February. The register's filter and sort by
    risks count twelve months with it too (queries.py), so the database and these flags agree
    at the boundary."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def sustainability_risks(
    *,
    status: str,
    champions: int,
    funding_ends_on: dt.date | None,
    has_written_agreement: bool | None,
    last_review_on: dt.date | None,
    today: dt.date,
) -> list[Risk]:
    """The risks to flag; none for a collaboration that has ended.

    A written agreement is yes, no or not known (None): "no written agreement" only for no,
    "agreement not recorded" for not known, so that a gap in the record is not reported as a
    fact."""
    if status in ENDED:
        return []
    risks: list[Risk] = []
    if champions == 0:
        risks.append(Risk("no_champion", "No named champion"))
    elif champions == 1:
        risks.append(
            Risk("single_champion", "One champion only: it depends on a single key individual")
        )
    if funding_ends_on is not None and funding_ends_on <= months_after(today, 12):
        if funding_ends_on < today:
            message = f"Funding ended on {funding_ends_on:%-d %B %Y}"
        else:
            message = f"Funding ends within 12 months, on {funding_ends_on:%-d %B %Y}"
        risks.append(Risk("funding_ending", message))
    if has_written_agreement is False:
        risks.append(Risk(NO_AGREEMENT, "No written collaboration agreement"))
    elif has_written_agreement is None:
        risks.append(
            Risk(
                AGREEMENT_NOT_RECORDED,
                "Agreement not recorded: whether there is a written collaboration agreement is "
                "not known",
            )
        )
    if last_review_on is None or last_review_on < months_after(today, -12):
        risks.append(Risk("no_review", "No duty-to-collaborate review in the last 12 months"))
    return risks
