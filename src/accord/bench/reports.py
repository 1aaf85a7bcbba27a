"""`accord bench --reports`: how long a collaboration's board pack takes, as a page and as PDF.

A throwaway database (its own directory, as `accord.bench.pages` makes) is loaded with the demo
(`accord demo`: the reference organisations and the briefing's collaborations, with their
rounds, KPIs, appraisals and lessons), and a platform administrator asks for one collaboration's
board pack again and again: the printable page, then the PDF (the charts drawn to SVG by
vl-convert, the page laid out by WeasyPrint), interleaved, after one warm-up of each (the
first PDF in a process starts vl-convert's JavaScript engine). The national report's PDF is
timed too, as its background thread writes it. Median and p95 (nearest rank) of each.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from . import pages as bench_pages

#: The demo's collaboration with every part of a board pack: the Joint Ambulance Conveyance
#: Project (two assessment rounds, four KPIs with published AmbSYS series, an appraisal with a
#: Monte Carlo run, a lesson).
DEFAULT_REFERENCE = "JACP"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord bench --reports",
        description="Time a collaboration's board pack (page and PDF) and the national report.",
    )
    parser.add_argument("--reference", default=DEFAULT_REFERENCE, help="the demo collaboration")
    parser.add_argument("--requests", type=int, default=10, metavar="N", help="runs of each")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway directory")
    return parser


def _time(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return (time.perf_counter() - started) * 1000, result


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.requests < 1:
        raise SystemExit("accord bench --reports: --requests must be at least 1")
    tmpdir = Path(tempfile.mkdtemp(prefix="accord-bench-reports-"))
    try:
        bench_pages._start_django(tmpdir)
        return _run(args, tmpdir)
    finally:
        if args.keep:
            print(f"Kept {tmpdir}")
        else:
            shutil.rmtree(tmpdir, ignore_errors=True)


def _run(args: argparse.Namespace, tmpdir: Path) -> int:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from accord import demo
    from accord.insights import reports

    call_command("migrate", interactive=False, verbosity=0)
    demo.load("bench-password-not-secret")
    user = get_user_model().objects.get(email="admin@demo.accord.test")
    client = Client()
    client.force_login(user)
    page = f"/insights/c/{args.reference}/board-pack/"
    pdf = f"/insights/c/{args.reference}/board-pack.pdf"
    minimal = bench_pages.MINIMAL_URL
    sizes: dict[str, int] = {}
    first: dict[str, float] = {}
    for url in (minimal, page, pdf):  # warm-up, and a check that each answers
        ms, response = _time(lambda u=url: client.get(u))
        if response.status_code != 200:
            raise SystemExit(f"accord bench --reports: {url} answered {response.status_code}")
        sizes[url], first[url] = len(response.content), ms
    found: dict[str, list[float]] = {minimal: [], page: [], pdf: [], "national": []}
    for _ in range(args.requests):
        for url in (minimal, page, pdf):
            ms, _response = _time(lambda u=url: client.get(u))
            found[url].append(ms)
        ms, (_context, data) = _time(lambda: reports.national_pdf(user))
        found["national"].append(ms)
        sizes["national"] = len(data)
    names = {
        minimal: "Minimal page (accessibility statement)",
        page: f"Board pack page ({args.reference})",
        pdf: f"Board pack PDF ({args.reference})",
        "national": "National report PDF (as its thread writes it)",
    }
    rows = []
    for key, timings in found.items():
        measured = bench_pages.Measurement(names[key], key, timings, 0, sizes.get(key, 0))
        rows.append((measured.name, measured.median, measured.p95, measured.bytes))
    pages_in_pdf = _pages(client.get(pdf).content)
    print(f"accord bench --reports: {args.requests} runs of each, as a platform administrator")
    print()
    print("| what | median ms | p95 ms | bytes |")
    print("|---|---:|---:|---:|")
    for name, median, p95, size in rows:
        print(f"| {name} | {median:,.0f} | {p95:,.0f} | {size:,} |")
    print()
    print(
        f"The board pack PDF has {pages_in_pdf} pages. The first PDF in the process took "
        f"{first[pdf]:,.0f} ms (vl-convert's engine started, every chart drawn); the runs above "
        "find the charts' drawings kept, as a pack asked for again does."
    )
    return 0


def _pages(data: bytes) -> int | str:
    """The PDF's page count, where pypdf (the test extra) is installed."""
    try:
        import io

        from pypdf import PdfReader
    except ImportError:  # pragma: no cover - an install without the test extra
        return "?"
    return len(PdfReader(io.BytesIO(data)).pages)
