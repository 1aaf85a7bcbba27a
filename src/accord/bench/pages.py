"""`accord bench`: the register's pages measured against a national-scale data set.

Runs against a throwaway SQLite database in a temporary folder, never the configured one: the
database address is set before Django starts, the tables are migrated, the reference
organisations loaded, and a synthetic register built with bulk writes (a benchmark fixture, not
product changes, so no audit events). Each page is then requested through Django's test client as
a signed-in contributor, in interleaved rounds, and its median and 95th-percentile server time
and its query count are reported. The target is that every page's p95 is within 5 times the p95
of a minimal page: the home page, which goes through everything a page does (session, user,
middleware, the site's layout) and reads no data. The health check, which skips all of that, and
exports, which write every visible row, are listed but not held to it.

Afterwards the engine benchmarks run too (`accord.bench.scoring`, `accord.bench.appraisal` and
`accord.bench.spc`, and with `--overlap` `accord.bench.overlap`): they are part of the package,
so `accord bench` works from an installed wheel, with no files read from a checkout.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import random
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TARGET_RATIO = 5.0
#: The whole-register export's p95 against the signed-in list's.
EXPORT_TARGET_RATIO = 10.0
WHOLE_EXPORT = "Export CSV, all visible"
BENCH_ORG_PREFIX = "X-BENCH-"
LEAD_ORGANISATION = "E31000025"  # the signed-in contributor's organisation: Lincolnshire FRS

WORDS = (
    "joint",
    "fire",
    "police",
    "ambulance",
    "response",
    "estates",
    "control room",
    "prevention",
    "co-responding",
    "training",
    "fleet",
    "procurement",
    "drones",
    "mental health",
    "falls",
    "safeguarding",
    "flood",
    "community",
    "station",
    "hub",
)


MINIMAL = "Minimal page (the accessibility statement: the layout and fixed text, no data)"
#: The baseline every page is held against. Not the home page: that is a person's dashboard,
#: which reads every app's data.
MINIMAL_URL = "/accessibility/"


@dataclass
class Measurement:
    name: str
    url: str
    timings_ms: list[float]
    queries: int
    bytes: int
    kind: str = "page"

    @property
    def median(self) -> float:
        return statistics.median(self.timings_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.timings_ms)
        # Nearest-rank 95th percentile.
        rank = max(1, -(-95 * len(ordered) // 100))
        return ordered[rank - 1]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord bench",
        description="Measure the register's pages against a throwaway national-scale database.",
        epilog="accord bench --load --help: the production server under concurrent load.",
    )
    parser.add_argument("--collaborations", type=int, default=5000)
    parser.add_argument("--organisations", type=int, default=300, help="at least the shipped ones")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=50, help="requests per page")
    parser.add_argument(
        "--export-requests",
        type=int,
        default=10,
        help="requests per export (each writes every visible row; default 10)",
    )
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--output", help="also write the table as Markdown to this file")
    parser.add_argument(
        "--no-engines", action="store_true", help="skip the engine benchmarks afterwards"
    )
    parser.add_argument(
        "--overlap",
        action="store_true",
        help="with the engines, the demand overlap's too (accord.bench.overlap: 1,000,000 "
        "incidents on DuckDB and Spark; a few minutes)",
    )
    parser.add_argument(
        "--lessons",
        action="store_true",
        help="then the lessons' pages at national scale (accord.bench.lessons: 100,000 "
        "lessons, full-text search)",
    )
    parser.add_argument(
        "--kpis",
        action="store_true",
        help="then the KPI pages at national scale (accord.bench.kpis: 20,000 adopted "
        "indicators, 1,000,000 measurements)",
    )
    parser.add_argument(
        "--insights",
        action="store_true",
        help="then the national picture and the findings (accord.bench.insights: 2,000 "
        "assessment rounds, 20,000 KPIs)",
    )
    return parser


def _console() -> Any:
    from rich.console import Console

    console = Console()
    # Piped to a file or a log: wide enough for the table.
    return console if console.is_terminal else Console(width=150)


def _start_django(tmpdir: Path) -> None:
    if "accord.settings" in sys.modules:
        # The settings have read DATABASE_URL already: measuring now could write to a real
        # database. The command must run in a fresh process.
        raise SystemExit("accord bench: Django is already set up; run it as its own command")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmpdir / 'bench.sqlite3'}"
    # Its own data directory too: the audit key, the secret key and static files of the
    # throwaway database stay beside it, not in the configured one's.
    os.environ["ACCORD_DATA_DIR"] = str(tmpdir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "accord.settings"
    os.environ["ACCORD_DEBUG"] = "0"
    os.environ.setdefault("ACCORD_SECRET_KEY", secrets.token_urlsafe(50))
    import django

    django.setup()
    from django.conf import settings

    name = str(settings.DATABASES["default"]["NAME"])
    if not name.startswith(str(tmpdir)):  # pragma: no cover - a guard, never expected
        raise SystemExit(f"accord bench: refusing to run against {name}")
    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]


# The data set -----------------------------------------------------------------------------


def _progress(console: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    )


def _chunks(total: int, size: int) -> list[range]:
    return [range(start, min(start + size, total)) for start in range(0, total, size)]


def build_dataset(args: argparse.Namespace, console: Any) -> dict[str, int]:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction

    from accord.core.choices import Role, Sector, Visibility
    from accord.orgs.choices import Nation, OrganisationKind
    from accord.orgs.models import Organisation, User
    from accord.orgs.services import load_reference_organisations
    from accord.register.choices import Nature, PartnerRole, ResearchArea, Status
    from accord.register.mix import service_mix
    from accord.register.models import Champion, Collaboration, EvidenceLink, Partner

    rng = random.Random(args.seed)
    with console.status("Migrating the throwaway database"):
        call_command("migrate", interactive=False, verbosity=0)
    with console.status("Loading the reference organisations"):
        load_reference_organisations()

    kinds = {
        Sector.POLICE: OrganisationKind.POLICE_FORCE,
        Sector.FIRE: OrganisationKind.FIRE_AUTHORITY,
        Sector.AMBULANCE: OrganisationKind.AMBULANCE_TRUST,
        Sector.OTHER: OrganisationKind.LOCAL_AUTHORITY,
    }
    sectors = list(kinds)
    shipped = Organisation.objects.count()
    synthetic = max(0, args.organisations - shipped)
    batch = 500

    with _progress(console) as progress, transaction.atomic():
        task = progress.add_task("Organisations", total=synthetic)
        for chunk in _chunks(synthetic, batch):
            orgs = []
            for i in chunk:
                sector = sectors[i % len(sectors)]
                orgs.append(
                    Organisation(
                        code=f"{BENCH_ORG_PREFIX}{i + 1:04d}",
                        name=f"Benchmark {sector} body {i + 1}",
                        short_name=f"Bench {i + 1}",
                        sector=sector,
                        kind=kinds[sector],
                        nation=Nation.ENGLAND if i % 7 else Nation.WALES,
                    )
                )
            Organisation.objects.bulk_create(orgs)
            progress.advance(task, len(orgs))

        organisations = list(Organisation.objects.only("pk", "sector", "code"))
        sector_of = {o.pk: o.sector for o in organisations}
        org_ids = [o.pk for o in organisations]
        lead_org = next(o.pk for o in organisations if o.code == LEAD_ORGANISATION)

        task = progress.add_task("Users", total=args.users)
        password = make_password(None)  # unusable: nobody signs in as them
        roles = [Role.READER] * 6 + [Role.CONTRIBUTOR] * 3 + [Role.ORG_ADMIN]
        for chunk in _chunks(args.users, batch):
            users = [
                User(
                    email=f"bench-user-{i + 1:05d}@bench.accord.test",
                    password=password,
                    organisation_id=lead_org if i == 0 else rng.choice(org_ids),
                    role=Role.CONTRIBUTOR if i == 0 else rng.choice(roles),
                )
                for i in chunk
            ]
            User.objects.bulk_create(users)
            progress.advance(task, len(users))

        task = progress.add_task("Collaborations", total=args.collaborations)
        natures, areas, statuses = (
            list(Nature.values),
            list(ResearchArea.values),
            list(Status.values),
        )
        visibilities = (
            [Visibility.PUBLIC] * 3
            + [Visibility.SIGNED_IN] * 3
            + [Visibility.PARTNERS] * 3
            + [Visibility.NAMED]
        )
        today = dt.date(2026, 1, 1)
        named_through = Collaboration.named_organisations.through
        partners_made = 0
        for chunk in _chunks(args.collaborations, batch):
            rows: list[Collaboration] = []
            partner_sets: list[list[tuple[int, str]]] = []
            for i in chunk:
                # One in ten has the benchmark user's organisation as a partner.
                members = rng.sample(org_ids, rng.randint(2, 4))
                if i % 10 == 0 and lead_org not in members:
                    members[0] = lead_org
                roles_here = [PartnerRole.LEAD] + [
                    PartnerRole.SUPPORTER if rng.random() < 0.15 else PartnerRole.PARTNER
                    for _ in members[1:]
                ]
                involved = {
                    sector_of[m]
                    for m, r in zip(members, roles_here, strict=True)
                    if r != "supporter"
                }
                words = rng.sample(WORDS, 3)
                started = today - dt.timedelta(days=rng.randint(0, 3650))
                c = Collaboration(
                    reference=f"BENCH-{i + 1:05d}",
                    title=f"{words[0].capitalize()} {words[1]} {words[2]} {i + 1}",
                    summary=f"A {words[1]} and {words[2]} collaboration. " * 3,
                    research_area=rng.choice(areas),
                    nature=rng.choice(natures),
                    status=rng.choice(statuses),
                    started_on=started,
                    funding_amount=(
                        Decimal(rng.randint(10, 5000) * 1000) if rng.random() < 0.4 else None
                    ),
                    visibility=rng.choice(visibilities),
                    involves_police="police" in involved,
                    involves_fire="fire" in involved,
                    involves_ambulance="ambulance" in involved,
                    involves_other="other" in involved,
                    service_mix=service_mix(involved),
                    archived_at=None,
                )
                rows.append(c)
                partner_sets.append(list(zip(members, roles_here, strict=True)))
            Collaboration.objects.bulk_create(rows)
            Partner.objects.bulk_create(
                Partner(collaboration_id=c.pk, organisation_id=org, role=role)
                for c, members in zip(rows, partner_sets, strict=True)
                for org, role in members
            )
            partners_made += sum(len(m) for m in partner_sets)
            Champion.objects.bulk_create(
                Champion(collaboration_id=c.pk, name=f"Champion {k + 1}", organisation_id=None)
                for c in rows
                for k in range(rng.randint(0, 2))
            )
            EvidenceLink.objects.bulk_create(
                EvidenceLink(
                    collaboration_id=c.pk,
                    title=f"Evaluation {k + 1}",
                    url=f"https://example.org/{c.reference}/{k + 1}",
                )
                for c in rows
                for k in range(rng.randint(0, 2))
            )
            named_through.objects.bulk_create(
                named_through(collaboration_id=c.pk, organisation_id=org)
                for c in rows
                if c.visibility == Visibility.NAMED
                for org in rng.sample(org_ids, 3)
            )
            progress.advance(task, len(rows))

    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "collaborations": Collaboration.objects.count(),
        "partners": partners_made,
    }


# Measuring --------------------------------------------------------------------------------


@dataclass
class Page:
    name: str
    url: str
    client: Any
    requests: int
    # "page" (held to the target), "minimal", "probe", "first" (first after a change), "export"
    kind: str = "page"


def _get(page: Page) -> tuple[Any, float]:
    """One request and its time in milliseconds. A page measured as the first after a change is
    served with a cache that keeps nothing, so it counts afresh every time; the other pages'
    cache is kept."""
    from django.test import override_settings

    dummy = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    with override_settings(CACHES=dummy) if page.kind == "first" else contextlib.nullcontext():
        start = time.perf_counter()
        response = page.client.get(page.url)
        # A streamed export is timed to its last byte, as its reader waits for it.
        body = _body(response)
        response.measured_size = len(body)
        return response, (time.perf_counter() - start) * 1000


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _measure_all(pages: list[Page], progress: Any) -> list[Measurement]:
    """Time every page in rounds, one request of each a round.

    Interleaved, so that a slow spell on a shared machine falls on every page alike rather
    than on whichever page was being measured then: the ratios to the minimal page stay fair.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries: dict[str, int] = {}
    sizes: dict[str, int] = {}
    for page in pages:
        response, _ = _get(page)  # warm up: templates, the first connection
        if response.status_code != 200:
            raise SystemExit(f"accord bench: {page.url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as ctx:
            response, _ = _get(page)
        queries[page.name] = len(ctx.captured_queries)
        sizes[page.name] = response.measured_size
    timings: dict[str, list[float]] = {page.name: [] for page in pages}
    rounds = max(page.requests for page in pages)
    task = progress.add_task("Requests", total=sum(page.requests for page in pages))
    for round_number in range(rounds):
        for page in pages:
            if round_number >= page.requests:
                continue
            timings[page.name].append(_get(page)[1])
            progress.advance(task)
    return [
        Measurement(
            page.name,
            page.url,
            timings[page.name],
            queries[page.name],
            sizes[page.name],
            page.kind,
        )
        for page in pages
    ]


def measure(args: argparse.Namespace, console: Any) -> tuple[list[Measurement], dict[str, int]]:
    from django.test import Client

    from accord.orgs.models import User
    from accord.register.models import Collaboration

    user = User.objects.get(email="bench-user-00001@bench.accord.test")
    client = Client()
    client.force_login(user)
    assert user.organisation_id is not None
    visible = Collaboration.objects.visible_to(user).filter(archived_at__isnull=True)
    # A collaboration their organisation is a partner in, so that the page shows its history.
    detail = (
        visible.filter(partners__organisation_id=user.organisation_id).order_by("reference").first()
    )
    assert detail is not None
    counts = {
        "visible": visible.count(),
        "visible_co_responding_operational": visible.filter(
            nature="co_responding", status="operational"
        ).count(),
    }

    n, exports = args.requests, min(args.requests, args.export_requests)
    filtered = "/collaborations/?nature=co_responding&status=operational"
    pages = [
        Page(MINIMAL, MINIMAL_URL, client, n, "minimal"),
        Page("Health check (JSON, no page)", "/healthz", client, n, "probe"),
        Page("List (anonymous)", "/collaborations/", Client(), n),
        Page("List", "/collaborations/", client, n),
        Page("List, first after a change", "/collaborations/", client, n, "first"),
        Page("List, filtered", filtered, client, n),
        Page("List, searched", "/collaborations/?q=fire", client, n),
        Page(
            "List, searched, first after a change",
            "/collaborations/?q=fire",
            client,
            n,
            "first",
        ),
        Page("List, page 40", "/collaborations/?page=40", client, n),
        Page("Detail", f"/collaborations/{detail.reference}/", client, n),
        Page(
            WHOLE_EXPORT,
            "/collaborations/export/?format=csv",
            client,
            exports,
            "export",
        ),
        Page(
            "Export CSV, filtered",
            "/collaborations/export/?format=csv&nature=co_responding&status=operational",
            client,
            exports,
            "export",
        ),
    ]
    with _progress(console) as progress:
        results = _measure_all(pages, progress)
    return results, counts


# Reporting --------------------------------------------------------------------------------


VERDICTS = {
    "minimal": "baseline",
    "probe": "n/a (not a page)",
    "first": "n/a (counts afresh)",
    "export": "n/a (export)",
}


def table_rows(results: list[Any], verdict: Callable[[Any, float], str]) -> list[list[str]]:
    """One row a page, each page's p95 against the minimal page's (the first), with the
    verdict each benchmark gives (the register's, the KPIs', the lessons')."""
    minimal = results[0].p95
    rows = []
    for m in results:
        ratio = m.p95 / minimal if minimal else float("inf")
        rows.append(
            [
                m.name,
                m.url,
                str(len(m.timings_ms)),
                f"{m.median:.1f}",
                f"{m.p95:.1f}",
                f"{ratio:.1f}×",
                str(m.queries),
                f"{m.bytes / 1024:,.0f}",
                verdict(m, ratio),
            ]
        )
    return rows


def headers(target: float) -> list[str]:
    return [
        "Page",
        "URL",
        "Requests",
        "Median ms",
        "p95 ms",
        "p95 / minimal p95",
        "Queries",
        "KiB",
        f"Within {target:g}× of minimal",
    ]


def markdown_table(columns: list[str], rows: list[list[str]]) -> list[str]:
    """The table's lines in Markdown, each URL as code."""
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "|".join("---" if i < 2 else "---:" for i in range(len(columns))) + "|",
    ]
    for row in rows:
        lines.append("| " + " | ".join([row[0], f"`{row[1]}`", *row[2:]]) + " |")
    return lines


def print_rows(console: Any, title: str, columns: list[str], rows: list[list[str]]) -> list[str]:
    """Print a benchmark's table (failing rows red, unjudged ones dim); the failing pages."""
    from rich.table import Table

    table = Table(title=title)
    for header in columns:
        if header != "URL":
            table.add_column(header, justify="left" if header == "Page" else "right")
    for row in rows:
        failed = row[-1].startswith("NO")
        table.add_row(
            *row[:1],
            *row[2:],
            style="red" if failed else ("dim" if row[-1].startswith("n/a") else None),
        )
    console.print(table)
    return [row[0] for row in rows if row[-1].startswith("NO")]


def report(
    console: Any,
    output: str | None,
    *,
    title: str,
    target: float,
    rows: list[list[str]],
    markdown: str,
    pages: str,
) -> int:
    """A national-scale benchmark's ending, the same for each: its table, whether its `pages`
    are within `target`× the minimal page, its Markdown added after the register's in
    `output`; 1 if any page is outside the target."""
    failing = print_rows(console, title, headers(target), rows)
    if failing:
        console.print(
            f"[red]Outside the target (p95 within {target:g}× the minimal page): "
            f"{', '.join(failing)}[/red]"
        )
    else:
        console.print(f"Every {pages} is within {target:g}× the minimal page's p95.")
    if output:
        with open(output, "a", encoding="utf-8") as out:
            out.write("\n" + markdown)
        console.print(f"Added the {pages}s to {output}")
    return 1 if failing else 0


def _rows(results: list[Measurement]) -> list[list[str]]:
    return table_rows(
        results,
        lambda m, ratio: VERDICTS.get(m.kind) or ("yes" if ratio <= TARGET_RATIO else "NO"),
    )


HEADERS = headers(TARGET_RATIO)


def _print_table(console: Any, results: list[Measurement]) -> None:
    from rich.table import Table

    table = Table(title="Server time per request (Django test client, signed-in contributor)")
    for header in HEADERS:
        if header != "URL":
            table.add_column(header, justify="left" if header == "Page" else "right")
    for row in _rows(results):
        style = "red" if row[-1] == "NO" else ("dim" if row[-1].startswith("n/a") else None)
        table.add_row(*row[:1], *row[2:], style=style)
    console.print(table)


def export_against_list(results: list[Measurement]) -> str:
    """The whole-register export's p95 against the signed-in list's, and the verdict."""
    by_name = {m.name: m for m in results}
    export, listing = by_name.get(WHOLE_EXPORT), by_name.get("List")
    if export is None or listing is None:
        return ""
    ratio = export.p95 / listing.p95 if listing.p95 else float("inf")
    verdict = "yes" if ratio <= EXPORT_TARGET_RATIO else "NO"
    return (
        f"The whole-register export ({export.bytes / 1024:,.0f} KiB of CSV): p95 "
        f"{export.p95:.1f} ms, {ratio:.1f}× the signed-in list's p95 ({listing.p95:.1f} ms); "
        f"within {EXPORT_TARGET_RATIO:g}×: {verdict}."
    )


def markdown(results: list[Measurement], sizes: dict[str, int], counts: dict[str, int]) -> str:
    lines = [
        f"Data set: {sizes['organisations']:,} organisations, {sizes['users']:,} users, "
        f"{sizes['collaborations']:,} collaborations with {sizes['partners']:,} partnerships; "
        f"the contributor may see {counts['visible']:,} "
        f"({counts['visible_co_responding_operational']:,} co-responding and operational).",
        "",
        *markdown_table(HEADERS, _rows(results)),
    ]
    lines += ["", export_against_list(results)]
    return "\n".join(lines) + "\n"


def _engine_benchmarks(console: Any, *, overlap: bool = False) -> int:
    """The scoring, appraisal and SPC engines' benchmarks, imported from the package, and with
    `overlap` the demand overlap's (minutes, not seconds: Spark starts and runs on a million
    incidents)."""
    status = 0
    for name in ("scoring", "appraisal", "spc", *(("overlap",) if overlap else ())):
        console.rule(f"accord.bench.{name}")
        try:
            importlib.import_module(f"accord.bench.{name}").main()
        except Exception as exc:  # a failing engine benchmark is reported, not fatal
            console.print(f"[red]{name} failed: {type(exc).__name__}: {exc}[/red]")
            status = 1
    return status


def main(argv: list[str]) -> int:
    # `accord bench -- --requests 10`: the separator that gets options past `accord`'s own parser.
    if argv and argv[0] == "--":
        argv = argv[1:]
    args = _parser().parse_args(argv)
    if args.organisations < 1 or args.collaborations < 1 or args.users < 1 or args.requests < 1:
        raise SystemExit("accord bench: every size must be at least 1")
    console = _console()
    tmpdir = Path(tempfile.mkdtemp(prefix="accord-bench-"))
    try:
        _start_django(tmpdir)
        started = time.perf_counter()
        sizes = build_dataset(args, console)
        console.print(
            f"Built {sizes['organisations']:,} organisations, {sizes['users']:,} users and "
            f"{sizes['collaborations']:,} collaborations ({sizes['partners']:,} partnerships) "
            f"in {time.perf_counter() - started:.1f} s, in {tmpdir}."
        )
        results, counts = measure(args, console)
        console.print(
            f"The contributor may see {counts['visible']:,} collaborations, "
            f"{counts['visible_co_responding_operational']:,} of them co-responding and "
            "operational."
        )
        _print_table(console, results)
        failing = [
            m.name for m, row in zip(results, _rows(results), strict=True) if row[-1] == "NO"
        ]
        if failing:
            console.print(
                f"[red]Outside the target (p95 within {TARGET_RATIO:g}× the minimal "
                f"page): {', '.join(failing)}[/red]"
            )
        else:
            console.print(
                f"Every page is within the target: p95 within {TARGET_RATIO:g}× the "
                "minimal page's. Listed, not held to it: the health check, the first list "
                "after a change (which counts every filter's values afresh) and exports."
            )
        console.print(export_against_list(results))
        if args.output:
            Path(args.output).write_text(markdown(results, sizes, counts), encoding="utf-8")
            console.print(f"Wrote {args.output}")
        kpi_status = 0
        if args.kpis:
            from . import kpis

            kpi_status = kpis.main(args, console)
        lessons_status = 0
        if args.lessons:
            from . import lessons

            lessons_status = lessons.main(args, console)
            kpi_status = max(kpi_status, lessons_status)
        if args.insights:
            from . import insights

            kpi_status = max(kpi_status, insights.main(args, console))
        from django.db import connections

        connections.close_all()
        status = 0 if args.no_engines else _engine_benchmarks(console, overlap=args.overlap)
        return max(status, kpi_status)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
