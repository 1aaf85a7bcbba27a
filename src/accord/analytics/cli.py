"""Demand analyses' verbs: `accord analytics new REFERENCE FILE...` (an analysis of a
collaboration from files on disk), `accord analytics run [ID]` (run what is queued, or one
analysis) and `accord analytics worker` (run queued analyses as they come: the background
work the pages leave to it when ACCORD_ANALYTICS_WORKER=1). No broker: the queue is the
analyses' own state in the database. (`accord overlap` is overlap_cli's, without a database.)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from accord.core.commandline import (
    CommandGroups,
    acting_person,
    console,
    print_problems,
    setup_django,
)


def add_commands(groups: CommandGroups) -> None:
    p = groups.root.add_parser(
        "analytics",
        help="demand analyses: `accord analytics new REF FILE...`, `run`, `worker`",
    )
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    q = sub.add_parser(
        "new",
        help="an analysis of a collaboration from incident files, queued to run",
        description="Each file is checked in full first (a problem names its file, line and "
        "column, and nothing is stored); then the analysis is queued, and run at once with "
        "--run.",
    )
    q.add_argument("reference", help="the collaboration's reference, such as PSTN-SURREY-SUSSEX")
    q.add_argument("files", nargs="+", metavar="FILE")
    q.add_argument("--title", default="", help="default: the files' names")
    q.add_argument("--format", default="accord", choices=("accord", "montco"))
    q.add_argument("--window-minutes", type=float, default=20.0, metavar="W")
    q.add_argument("--distance-m", type=float, default=250.0, metavar="D")
    q.add_argument("--cell-m", type=float, default=1000.0, metavar="METRES")
    q.add_argument("--note", default="", help="shown with the results, e.g. 'US sample data'")
    q.add_argument("--keep", action="store_true", help="keep the files' rows after the run")
    q.add_argument("--run", action="store_true", help="run it now, here")
    q.add_argument("--as", dest="as_email", metavar="EMAIL", help="act as this person")
    q.set_defaults(func=new)

    q = sub.add_parser("run", help="run the queued analyses (or one, by its number) and stop")
    q.add_argument("id", nargs="?", type=int, help="one analysis's number")
    q.set_defaults(func=run)

    q = sub.add_parser("worker", help="run queued analyses as they come, until stopped")
    q.add_argument("--poll", type=float, default=5.0, metavar="SECONDS")
    q.set_defaults(func=worker)


def _report(analysis: object) -> None:
    state = getattr(analysis, "state", "")
    pk = getattr(analysis, "pk", "")
    title = getattr(analysis, "title", "")
    if state == "done":
        result = getattr(analysis, "result", None) or {}
        print(
            f"Analysis {pk} ({title}): {result.get('records', 0):,} records, "
            f"{result.get('joint_incidents', 0):,} joint incidents."
        )
    else:
        print(f"Analysis {pk} ({title}): {state}. {getattr(analysis, 'error', '')}".strip())


def new(args: argparse.Namespace) -> int:
    setup_django()
    from accord.core.problems import PermissionRefused, Problems
    from accord.core.spreadsheets import read_file
    from accord.register import services as register

    from . import services

    actor = acting_person(args.as_email)
    collaboration = register.find_collaboration(args.reference)
    if collaboration is None:
        print(f"accord: no collaboration has the reference {args.reference}", file=sys.stderr)
        return 2
    title = args.title or ", ".join(Path(f).name for f in args.files)
    try:
        analysis = services.create_analysis(
            actor,
            collaboration,
            services.AnalysisData(
                title=title[:200],
                layout=args.format,
                window_minutes=args.window_minutes,
                distance_m=args.distance_m,
                cell_m=args.cell_m,
                data_note=args.note,
            ),
        )
        for name in args.files:
            services.add_file(actor, analysis, Path(name).name, read_file(name), keep=args.keep)
        analysis = services.queue_run(actor, analysis)
    except Problems as exc:
        console().print(f"[red]Nothing run: {len(exc.problems)} problem(s)[/red]")
        return print_problems(exc.problems)
    except PermissionRefused as exc:
        return print_problems([exc.message], prefix="accord analytics new: ")
    print(f"Analysis {analysis.pk} queued.")
    if args.run:
        finished = services.run(analysis.pk)
        if finished is not None:
            _report(finished)
            return 0 if finished.state == "done" else 1
    return 0


def run(args: argparse.Namespace) -> int:
    setup_django()
    from . import services

    if args.id is not None:
        finished = services.run(args.id)
        if finished is None:
            print(f"accord: analysis {args.id} is not waiting to run", file=sys.stderr)
            return 2
        _report(finished)
        return 0 if finished.state == "done" else 1
    done = services.run_all_queued()
    for analysis in done:
        _report(analysis)
    if not done:
        print("No analysis is waiting to run.")
    return 0 if all(a.state == "done" for a in done) else 1


def worker(args: argparse.Namespace) -> int:  # pragma: no cover - runs until stopped
    setup_django()
    from . import services

    for stale in services.fail_stale():
        _report(stale)
    print(f"Running queued analyses as they come (every {args.poll:g} s); Ctrl-C stops.")
    try:
        while True:
            for analysis in services.run_all_queued():
                _report(analysis)
            time.sleep(max(args.poll, 0.5))
    except KeyboardInterrupt:
        return 0
