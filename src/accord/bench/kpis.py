"""`accord bench --kpis`: the KPI pages at national scale.

After the register's pages (`accord.bench.pages`, whose throwaway database of 5,000
collaborations this reuses), the KPI data set is built with bulk writes (a benchmark fixture,
not product changes, so no audit events): 20 indicators, 20,000 adoptions (four a
collaboration) and 1,000,000 entered measurements (fifty months each), with a go-live that
starts a new phase on one adoption in five. Then, as a signed-in contributor, in interleaved
rounds with the minimal page: a collaboration's KPI page (four control charts), one KPI's
page, and the portfolio (every KPI the contributor may see, concern first), plain, filtered
and deep in its pages. The target: every page's p95 within 3 times the minimal page's.

The portfolio's icons are worked out for every adoption together (`spc.analyse_many`) and kept
until a KPI changes; the first portfolio after a change, which works them all out again, is
timed apart and listed, not held to the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time
from typing import Any

from . import pages as bench_pages

TARGET_RATIO = 3.0
INDICATORS = 20
ADOPTIONS_EACH = 4
MONTHS = 50
#: Months of the last one in five series that stop two months early (stale, and another set
#: of periods, so the portfolio judges more than one group of series).
SHORT_SHARE = 5
FIRST_AFTER_CHANGE_REQUESTS = 5


def _month(start: dt.date, offset: int) -> dt.date:
    index = start.year * 12 + start.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def build(console: Any, seed: int) -> dict[str, int]:
    """The KPI data set, in bulk: indicators, adoptions, milestones and measurements."""
    from django.db import transaction

    from accord.kpis.choices import Aggregation, Direction, Frequency, MilestoneKind, Unit
    from accord.kpis.models import Adoption, Indicator, Measurement, Milestone
    from accord.register.models import Collaboration, Partner

    from .pages import _progress

    rng = random.Random(seed)
    directions = [Direction.DECREASE, Direction.INCREASE, Direction.DECREASE, Direction.NEUTRAL]
    units = [Unit.SECONDS, Unit.COUNT, Unit.PERCENT, Unit.POUNDS]
    start = dt.date(2021, 11, 1)
    with transaction.atomic():
        indicators = Indicator.objects.bulk_create(
            Indicator(
                key=f"bench-kpi-{i + 1:02d}",
                title=f"Benchmark indicator {i + 1}",
                description="A synthetic indicator for the benchmark.",
                unit=units[i % len(units)],
                direction=directions[i % len(directions)],
                frequency=Frequency.MONTHLY,
                aggregation=Aggregation.SUM,
                source="Synthetic",
                standard=float(400 + 10 * i) if i % 3 == 0 else None,
            )
            for i in range(INDICATORS)
        )
        partners: dict[int, list[int]] = {}
        for collaboration_id, organisation_id in Partner.objects.values_list(
            "collaboration_id", "organisation_id"
        ):
            partners.setdefault(collaboration_id, []).append(organisation_id)
        collaborations = list(Collaboration.objects.order_by("pk").values_list("pk", flat=True))
        made = {"adoptions": 0, "measurements": 0, "milestones": 0}
        with _progress(console) as progress:
            task = progress.add_task("KPIs (adoptions)", total=len(collaborations))
            for chunk_start in range(0, len(collaborations), 250):
                chunk = collaborations[chunk_start : chunk_start + 250]
                rows = []
                for collaboration_id in chunk:
                    chosen = rng.sample(indicators, ADOPTIONS_EACH)
                    members = partners.get(collaboration_id, [])
                    for k, indicator in enumerate(chosen):
                        base = 400.0 + 10 * rng.random()
                        rows.append(
                            Adoption(
                                collaboration_id=collaboration_id,
                                indicator=indicator,
                                # The first for the whole collaboration, the rest for partners.
                                organisation_id=None
                                if k == 0 or not members
                                else members[k % len(members)],
                                baseline_value=base,
                                baseline_period=start,
                                target_value=base + rng.choice((-30.0, -5.0, 0.0, 5.0, 30.0)),
                                target_by=_month(start, MONTHS + 12),
                                tolerance=rng.choice((None, 5.0, 10.0)),
                            )
                        )
                Adoption.objects.bulk_create(rows, batch_size=2000)
                measurements = []
                milestones = []
                for n, adoption in enumerate(rows):
                    months = MONTHS - 2 if n % SHORT_SHARE == SHORT_SHARE - 1 else MONTHS
                    level = float(adoption.baseline_value or 0)
                    go_live = MONTHS // 2 if n % 5 == 0 else None
                    if go_live is not None:
                        milestones.append(
                            Milestone(
                                adoption=adoption,
                                on=_month(start, go_live),
                                title="Go-live",
                                kind=MilestoneKind.GO_LIVE,
                                starts_phase=True,
                            )
                        )
                    shift = rng.choice((-25.0, 0.0, 15.0))
                    for m in range(months):
                        value = level + rng.gauss(0, 8)
                        if go_live is not None and m >= go_live:
                            value += shift
                        measurements.append(
                            Measurement(
                                indicator_id=adoption.indicator_id,
                                adoption=adoption,
                                organisation_id=adoption.organisation_id,
                                period=_month(start, m),
                                value=round(value, 1),
                            )
                        )
                    # Make the totals exact: the short series' two months go to the next.
                    if months < MONTHS:
                        for m in range(MONTHS - months):
                            measurements.append(
                                Measurement(
                                    indicator_id=adoption.indicator_id,
                                    adoption=adoption,
                                    organisation_id=adoption.organisation_id,
                                    period=_month(start, -(m + 1)),
                                    value=round(level + rng.gauss(0, 8), 1),
                                )
                            )
                Milestone.objects.bulk_create(milestones, batch_size=2000)
                Measurement.objects.bulk_create(measurements, batch_size=5000)
                made["adoptions"] += len(rows)
                made["measurements"] += len(measurements)
                made["milestones"] += len(milestones)
                progress.advance(task, len(chunk))
    made["indicators"] = len(indicators)
    return made


def measure(args: argparse.Namespace, console: Any) -> tuple[list[Any], dict[str, Any]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accord.kpis import queries
    from accord.kpis.models import Adoption
    from accord.orgs.models import User
    from accord.register.models import Collaboration

    from .pages import MINIMAL, MINIMAL_URL, Measurement, Page, _measure_all, _progress

    user = User.objects.get(email="bench-user-00001@bench.accord.test")
    client = Client()
    client.force_login(user)
    assert user.organisation_id is not None
    visible = Collaboration.objects.visible_to(user).filter(archived_at__isnull=True)
    ours = visible.filter(partners__organisation_id=user.organisation_id).order_by("reference")
    collaboration = ours.first()
    assert collaboration is not None
    adoption = Adoption.objects.filter(collaboration=collaboration).order_by("pk").first()
    assert adoption is not None
    indicator = adoption.indicator.key
    counts = {
        "visible_kpis": queries.visible_adoptions(user).count(),
        "kpis_on_page": Adoption.objects.filter(collaboration=collaboration).count(),
    }
    n = args.requests
    pages = [
        Page(MINIMAL, MINIMAL_URL, client, n, "minimal"),
        Page(
            "KPI page of a collaboration (4 charts)",
            f"/kpis/c/{collaboration.reference}/",
            client,
            n,
        ),
        Page("One KPI's page", f"/kpis/{adoption.pk}/", client, n),
        Page("Portfolio", "/kpis/", client, n),
        Page("Portfolio (anonymous)", "/kpis/", Client(), n),
        Page("Portfolio, missed only", "/kpis/?status=missed", client, n),
        Page("Portfolio, one indicator", f"/kpis/?indicator={indicator}", client, n),
        Page("Portfolio, page 40", "/kpis/?page=40", client, n),
        Page(
            "Collaboration page with its KPIs panel",
            f"/collaborations/{collaboration.reference}/",
            client,
            n,
        ),
    ]
    pages[-1].kind = "register"
    with _progress(console) as progress:
        results = _measure_all(pages, progress)
    # The first after a change: every adoption's icons worked out again for the portfolio,
    # the KPIs' sections drawn again for the KPI page (nothing kept from before).
    from django.core.cache import cache

    for name, url in (
        ("KPI page, first after a change", pages[1].url),
        ("Portfolio, first after a change", "/kpis/"),
    ):
        timings = []
        captured = size = 0
        for _ in range(FIRST_AFTER_CHANGE_REQUESTS):
            queries.forget()
            cache.clear()
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"accord bench: {url} answered {response.status_code}")
            captured, size = len(ctx.captured_queries), len(response.content)
        results.append(Measurement(name, url, timings, captured, size, "first"))
    # After one figure is entered (through the service, with its audit event): only that KPI
    # is worked out again, its collaboration's sections drawn again.
    from accord.core.actors import SystemActor
    from accord.kpis import services

    client.get("/kpis/")  # everything kept again
    actor = SystemActor("benchmark")
    entered = list(Adoption.objects.order_by("pk")[: FIRST_AFTER_CHANGE_REQUESTS * 10 : 10])
    for name, url in (
        ("Portfolio after one figure is entered", "/kpis/"),
        ("KPI page after one of its figures is entered", pages[1].url),
    ):
        timings = []
        for n, target in enumerate(entered):
            if url != "/kpis/":
                target = adoption
            services.record_measurement(
                actor,
                target,
                period=_month(dt.date(2030, 1, 1), n + (10 if url != "/kpis/" else 0)),
                value=400.0,
            )
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"accord bench: {url} answered {response.status_code}")
            captured, size = len(ctx.captured_queries), len(response.content)
        results.append(Measurement(name, url, timings, captured, size, "changed"))
    return results, counts


VERDICTS = {
    "minimal": "baseline",
    "first": "n/a (works it out afresh)",
    "changed": "n/a (after a change)",
}
#: The collaboration's own page (the register's, with the KPIs panel) is held to the
#: register's target.
REGISTER_TARGET = 5.0


def _verdict(m: Any, ratio: float) -> str:
    if m.kind == "register":
        held = "yes" if ratio <= REGISTER_TARGET else "NO"
        return f"{held} (the register's {REGISTER_TARGET:g}×)"
    return VERDICTS.get(m.kind) or ("yes" if ratio <= TARGET_RATIO else "NO")


def rows(results: list[Any]) -> list[list[str]]:
    return bench_pages.table_rows(results, _verdict)


HEADERS = bench_pages.headers(TARGET_RATIO)


def markdown(results: list[Any], sizes: dict[str, int], counts: dict[str, Any]) -> str:
    lines = [
        f"Data set: {sizes['indicators']:,} indicators, {sizes['adoptions']:,} adopted "
        f"indicators, {sizes['measurements']:,} measurements and {sizes['milestones']:,} "
        f"milestones over the register's collaborations; the contributor may see "
        f"{counts['visible_kpis']:,} KPIs, and the KPI page shows {counts['kpis_on_page']}.",
        "",
        *bench_pages.markdown_table(HEADERS, rows(results)),
    ]
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace, console: Any) -> int:
    """Build the KPI data set in the bench's database and measure the KPI pages; 1 if any
    page is outside the target."""
    console.rule("KPIs at national scale")
    started = time.perf_counter()
    sizes = build(console, args.seed)
    console.print(
        f"Built {sizes['indicators']:,} indicators, {sizes['adoptions']:,} adoptions, "
        f"{sizes['measurements']:,} measurements and {sizes['milestones']:,} milestones in "
        f"{time.perf_counter() - started:.1f} s."
    )
    results, counts = measure(args, console)

    def median(name: str) -> float:
        return statistics.median(next(m for m in results if m.name == name).timings_ms)

    console.print(
        f"The contributor may see {counts['visible_kpis']:,} KPIs. Medians: the portfolio with "
        f"nothing kept {median('Portfolio, first after a change'):,.0f} ms, after one figure is "
        f"entered {median('Portfolio after one figure is entered'):,.0f} ms."
    )
    return bench_pages.report(
        console,
        args.output,
        title="KPI pages: server time per request (signed-in contributor)",
        target=TARGET_RATIO,
        rows=rows(results),
        markdown=markdown(results, sizes, counts),
        pages="KPI page",
    )
