"""`accord bench --insights`: the national picture and the findings at national scale.

After the register's pages (`accord.bench.pages`, whose throwaway database of 5,000
collaborations this reuses), the insights data set is made: ONS's police force area and local
resilience forum boundaries and the areas' populations (read from ``../shared/data`` as the
demo reads them, through the services: the map and the rates need them), 20,000 adopted KPIs
when `--kpis` has not built them already (four a collaboration; no measurements, which
neither page reads), and 2,000 assessment rounds (two each on 1,000 collaborations, on the
shipped collaboration-factors framework, six invited and answering each), written with bulk
writes (a benchmark fixture, not product changes, so no audit events).

Then, in interleaved rounds with the minimal page, for the bench's signed-in contributor and
for a visitor: the national picture by a few measures and the findings, kept (warm); and each
first after a change to the register (cold: an audit event on a collaboration before every
request, so the picture, the findings and their pages are worked out again, as they are for
the first reader after any edit). The target: every warm page's p95 within 3 times the
minimal page's; the cold pages are listed with their ratio, not held to it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import time
from typing import Any

from . import pages as bench_pages

TARGET_RATIO = 3.0
ADOPTIONS_EACH = 4
INDICATORS = 20
ASSESSED = 1_000
ROUNDS_EACH = 2
RESPONDENTS = 6
FIRST_AFTER_CHANGE_REQUESTS = 10
FRAMEWORK = "collaboration-factors"


def _adoptions(console: Any) -> int:
    """Four adopted KPIs a collaboration, unless `--kpis` has made them already."""
    from accord.kpis.choices import Aggregation, Direction, Frequency, Unit
    from accord.kpis.models import Adoption, Indicator
    from accord.register.models import Collaboration

    if Adoption.objects.exists():
        return Adoption.objects.count()
    indicators = Indicator.objects.bulk_create(
        Indicator(
            key=f"bench-insights-kpi-{i + 1:02d}",
            title=f"Benchmark indicator {i + 1}",
            description="A synthetic indicator for the benchmark.",
            unit=Unit.COUNT,
            direction=Direction.INCREASE,
            frequency=Frequency.MONTHLY,
            aggregation=Aggregation.SUM,
            source="Synthetic",
        )
        for i in range(INDICATORS)
    )
    collaborations = list(Collaboration.objects.order_by("pk").values_list("pk", flat=True))
    rows = [
        Adoption(collaboration_id=pk, indicator=indicators[(n + k) % INDICATORS])
        for n, pk in enumerate(collaborations)
        for k in range(ADOPTIONS_EACH)
    ]
    with bench_pages._progress(console) as progress:
        task = progress.add_task("KPIs (adoptions)", total=len(rows))
        for chunk in bench_pages._chunks(len(rows), 5000):
            Adoption.objects.bulk_create(rows[chunk.start : chunk.stop])
            progress.advance(task, len(chunk))
    return len(rows)


def _rounds(console: Any, seed: int) -> dict[str, int]:
    """Two rounds on each of 1,000 collaborations (their partners invited and answering),
    the second a little better or worse than the first."""
    from accord.assessments import services as assessments
    from accord.assessments.models import (
        FrameworkVersion,
        Invitation,
        Level,
        Response,
        ResponseSource,
        Round,
    )
    from accord.register.models import Collaboration, Partner

    rng = random.Random(seed)
    assessments.load_shipped_frameworks("benchmark")
    version = FrameworkVersion.objects.filter(key=FRAMEWORK).order_by("-version").first()
    assert version is not None
    items = version.framework.item_ids
    levels = list(Level.values)
    partners: dict[int, list[int]] = {}
    for collaboration_id, organisation_id in Partner.objects.values_list(
        "collaboration_id", "organisation_id"
    ):
        partners.setdefault(collaboration_id, []).append(organisation_id)
    chosen = list(Collaboration.objects.order_by("pk").values_list("pk", flat=True)[:ASSESSED])
    made = {"rounds": 0, "responses": 0}
    with bench_pages._progress(console) as progress:
        task = progress.add_task("Assessment rounds", total=len(chosen) * ROUNDS_EACH)
        for chunk in bench_pages._chunks(len(chosen), 250):
            rounds = [
                Round(
                    collaboration_id=chosen[i],
                    framework=version,
                    title=f"Round {r + 1}",
                    opens_on=dt.date(2022 + 2 * r, 3, 1),
                    closes_on=dt.date(2022 + 2 * r, 3, 31),
                )
                for i in chunk
                for r in range(ROUNDS_EACH)
            ]
            Round.objects.bulk_create(rounds)
            invitations, responses = [], []
            for each in rounds:
                members = partners.get(each.collaboration_id) or [0]
                lean = rng.uniform(-1.0, 1.0)
                for person in range(RESPONDENTS):
                    organisation = members[person % len(members)]
                    level = levels[person % len(levels)]
                    invitations.append(
                        Invitation(
                            round=each,
                            email=f"person-{person + 1}@bench.accord.test",
                            organisation_id=organisation,
                            level=level,
                            token_hash=secrets.token_hex(32),
                            responded=True,
                        )
                    )
                    responses.append(
                        Response(
                            round=each,
                            organisation_id=organisation,
                            level=level,
                            answers={
                                item: max(1, min(5, round(3 + lean + rng.gauss(0, 1))))
                                for item in items
                            },
                            submitted=True,
                            submitted_on=each.opens_on,
                            source=ResponseSource.DEMO,
                        )
                    )
            Invitation.objects.bulk_create(invitations, batch_size=2000)
            Response.objects.bulk_create(responses, batch_size=2000)
            made["rounds"] += len(rounds)
            made["responses"] += len(responses)
            progress.advance(task, len(rounds))
    return made


def build(console: Any, seed: int) -> dict[str, Any]:
    """The areas' boundaries and populations (as the demo loads them), the KPIs and the
    rounds."""
    from django.db import transaction

    from accord.core.actors import SystemActor
    from accord.insights import demo
    from accord.orgs import services as orgs

    actor = SystemActor("benchmark")
    with console.status("Loading the areas, their boundaries and populations"):
        orgs.load_reference_areas(actor=actor)
        lines = demo.load_demo(actor).lines
    for line in lines:
        console.print(line)
    with transaction.atomic():
        adoptions = _adoptions(console)
        made = _rounds(console, seed)
    return {"adoptions": adoptions, **made, "map": not any("no map" in x for x in lines)}


def _touch_register() -> None:
    """A change to the register as the caches see it: an event on a collaboration, as every
    edit through the register's services records."""
    from accord.core import audit

    audit.record(
        actor="benchmark",
        action="collaboration.update",
        object_type="register.collaboration",
        object_id="0",
        object_label="A change to the register",
    )


def _cold(name: str, url: str, client: Any) -> Any:
    """The page as the first reader after a change sees it, timed alone (it cannot share the
    interleaved rounds: every request needs a change before it)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    captured = size = 0
    for _ in range(FIRST_AFTER_CHANGE_REQUESTS):
        _touch_register()
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"accord bench: {url} answered {response.status_code}")
        captured, size = len(ctx.captured_queries), len(response.content)
    return bench_pages.Measurement(name, url, timings, captured, size, "first")


def measure(args: argparse.Namespace, console: Any) -> tuple[list[Any], dict[str, Any]]:
    from django.test import Client

    from accord.orgs.models import User
    from accord.register.models import Collaboration

    from .pages import MINIMAL, MINIMAL_URL, Page, _measure_all, _progress

    user = User.objects.get(email="bench-user-00001@bench.accord.test")
    client = Client()
    client.force_login(user)
    visitor = Client()
    visible = Collaboration.objects.visible_to(user).filter(archived_at__isnull=True)
    counts = {
        "visible": visible.count(),
        "public": Collaboration.objects.visible_to(None).filter(archived_at__isnull=True).count(),
    }
    n = args.requests
    pages = [
        Page(MINIMAL, MINIMAL_URL, client, n, "minimal"),
        Page("National picture", "/insights/", client, n),
        Page("National picture (visitor)", "/insights/", visitor, n),
        Page("National picture, tri-service", "/insights/?measure=mix:tri_service", client, n),
        Page(
            "National picture, operational per 100,000",
            "/insights/?measure=status:operational&per=1",
            client,
            n,
        ),
        Page("National picture, with the forums", "/insights/?forums=1", client, n),
        Page("Findings", "/insights/findings/", client, n),
        Page("Findings (visitor)", "/insights/findings/", visitor, n),
    ]
    with _progress(console) as progress:
        results = _measure_all(pages, progress)
    for name, url, who in (
        ("National picture, first after a change", "/insights/", client),
        ("National picture (visitor), first after a change", "/insights/", visitor),
        ("Findings, first after a change", "/insights/findings/", client),
        ("Findings (visitor), first after a change", "/insights/findings/", visitor),
    ):
        results.append(_cold(name, url, who))
    return results, counts


def _verdict(m: Any, ratio: float) -> str:
    if m.kind == "minimal":
        return "baseline"
    if m.kind == "first":
        return "n/a (works it out afresh)"
    return "yes" if ratio <= TARGET_RATIO else "NO"


def rows(results: list[Any]) -> list[list[str]]:
    return bench_pages.table_rows(results, _verdict)


HEADERS = bench_pages.headers(TARGET_RATIO)


def markdown(results: list[Any], sizes: dict[str, Any], counts: dict[str, Any]) -> str:
    lines = [
        f"Data set: the register's collaborations with {sizes['adoptions']:,} adopted KPIs, "
        f"{sizes['rounds']:,} assessment rounds and {sizes['responses']:,} responses; the "
        f"contributor may see {counts['visible']:,} collaborations, a visitor "
        f"{counts['public']:,}.",
        "",
        *bench_pages.markdown_table(HEADERS, rows(results)),
    ]
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace, console: Any) -> int:
    """Build the insights data set in the bench's database and measure the national picture
    and the findings; 1 if any kept page is outside the target."""
    console.rule("The national picture and the findings at national scale")
    started = time.perf_counter()
    sizes = build(console, args.seed)
    console.print(
        f"Built {sizes['adoptions']:,} adopted KPIs, {sizes['rounds']:,} rounds and "
        f"{sizes['responses']:,} responses in {time.perf_counter() - started:.1f} s."
    )
    if not sizes["map"]:
        console.print("[yellow]No boundaries in ../shared/data: the map is not drawn.[/yellow]")
    results, counts = measure(args, console)
    return bench_pages.report(
        console,
        args.output,
        title="Insights pages: server time per request (signed-in contributor and visitor)",
        target=TARGET_RATIO,
        rows=rows(results),
        markdown=markdown(results, sizes, counts),
        pages="kept insights page",
    )
