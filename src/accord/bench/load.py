"""`accord bench --load`: the production server under concurrent load, on this machine only.

Builds the page benchmark's data set (`accord.bench.pages.build_dataset`) in a throwaway folder
(its own database and data directory: the configured ones are never touched), gives the
benchmark's contributor a random password, and starts the real server, `accord serve` (gunicorn,
its workers and threads as in production), on 127.0.0.1 at a free port. Then:

- every client signs in with the sign-in form (its CSRF token, its password), as a browser does,
  and keeps one keep-alive connection and its own session;
- a writer, signed in as the same contributor, saves records through the edit form (the form as
  the page renders it, with the record's version) at a steady rate the whole time, counting its
  own errors;
- all the clients warm the workers up (not measured); then one client runs alone; then every
  client at once. Each client goes round the register's list (pages 1 to 10), a record, a search
  and the whole-register CSV export, timing each request to its last byte.

A read must answer 200 and a save must redirect to the record; anything else, and every
exception, is an error, reported by URL and status. The targets are no errors and, with every
client, at least 1.5 times the throughput of one client alone in the same run.

Bounded in count and time: at most 200 clients, 300 seconds a phase, and only 127.0.0.1 or
localhost, the server this command starts itself.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from . import pages

LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_CLIENTS = 200
MAX_SECONDS = 300.0
MAX_WRITES_PER_SECOND = 20.0
TARGET_RATIO = 1.5
#: What each client asks for, in turn.
KINDS = ("list", "record", "search", "export")
SEARCHES = ("fire", "police", "training", "flood", "community")
LIST_PAGES = 10
EXPORT_URL = "/collaborations/export/?format=csv"
SIGN_IN_URL = "/accounts/sign-in/"
#: gunicorn closes a keep-alive connection idle for 2 seconds: reconnect before that.
IDLE_RECONNECT_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 120.0
#: gunicorn's access log lines, left out of what the command shows of the server's log.
ACCESS_LINE = re.compile(r'^\S+ - \S+ \[[^]]+\] "')


# Options ----------------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="accord bench --load",
        description="Load the production server (accord serve) on 127.0.0.1 with signed-in "
        "clients and a writer, against a throwaway national-scale database.",
    )
    parser.add_argument("--clients", type=int, default=50, help=f"at most {MAX_CLIENTS}")
    parser.add_argument(
        "--duration",
        type=float,
        default=60.0,
        help="seconds with every client at once (default 60, at most 300)",
    )
    parser.add_argument(
        "--solo-duration",
        type=float,
        default=20.0,
        help="seconds with one client alone, before (default 20, at most 300)",
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="seconds warming up, not measured (default 3)"
    )
    parser.add_argument(
        "--writes-per-second",
        type=float,
        default=1.0,
        help="the writer's saves a second (default 1; 0 for no writer)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="the server's workers (default: accord serve's)"
    )
    parser.add_argument(
        "--no-keep-alive",
        action="store_true",
        help="a new connection for every request, as a reverse proxy in front of gunicorn "
        "opens them (default: one keep-alive connection a client, as a browser keeps)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="127.0.0.1 or localhost")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--collaborations", type=int, default=5000)
    parser.add_argument("--organisations", type=int, default=300, help="at least the shipped ones")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument(
        "--json", action="store_true", help="write the report as JSON to standard output"
    )
    return parser


def check_bounds(args: argparse.Namespace) -> None:
    """Refuse, before anything starts, a load that is not bounded or not local."""
    prog = "accord bench --load"
    if args.host not in LOCAL_HOSTS:
        raise SystemExit(
            f"{prog}: refusing to load {args.host!r}: only 127.0.0.1 or localhost, the server "
            "this command starts itself, may be loaded"
        )
    if not 1 <= args.clients <= MAX_CLIENTS:
        raise SystemExit(f"{prog}: --clients must be from 1 to {MAX_CLIENTS}, not {args.clients}")
    for name in ("duration", "solo_duration"):
        value = getattr(args, name)
        if not 0 < value <= MAX_SECONDS:
            raise SystemExit(
                f"{prog}: --{name.replace('_', '-')} must be more than 0 and at most "
                f"{MAX_SECONDS:g} seconds, not {value:g}"
            )
    if not 0 <= args.warmup <= 30:
        raise SystemExit(f"{prog}: --warmup must be from 0 to 30 seconds, not {args.warmup:g}")
    if not 0 <= args.writes_per_second <= MAX_WRITES_PER_SECOND:
        raise SystemExit(
            f"{prog}: --writes-per-second must be from 0 to {MAX_WRITES_PER_SECOND:g}, "
            f"not {args.writes_per_second:g}"
        )
    if args.workers is not None and not 1 <= args.workers <= 64:
        raise SystemExit(f"{prog}: --workers must be from 1 to 64, not {args.workers}")
    if not 0 <= args.port <= 65535:
        raise SystemExit(f"{prog}: --port must be from 0 to 65535, not {args.port}")
    if args.organisations < 1 or args.collaborations < 1 or args.users < 1:
        raise SystemExit(f"{prog}: every size must be at least 1")


# A client: one connection, its cookies ----------------------------------------------------


#: A form's fields as name and value pairs, in page order, repeated names and all.
Form = dict[str, str] | list[tuple[str, str]]


class RequestFailed(Exception):
    """A request that answered with the wrong status."""

    def __init__(self, method: str, path: str, status: int, wanted: int) -> None:
        super().__init__(f"{method} {path} answered {status}, not {wanted}")
        self.status = status


@dataclass
class Sample:
    kind: str
    method: str
    path: str
    finished: float  # time.perf_counter()
    milliseconds: float
    status: int | None  # None: an exception
    error: str | None = None


class Browser:
    """One signed-in person's browser, as far as the server can tell: one keep-alive connection
    (reopened when the server has closed it) and its own cookies."""

    def __init__(self, host: str, port: int, keep_alive: bool = True) -> None:
        self.host, self.port = host, port
        self.keep_alive = keep_alive
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.last_used = 0.0
        self.reconnects = 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection(
                self.host, self.port, timeout=REQUEST_TIMEOUT_SECONDS
            )
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        return response.status, response, data

    def request(
        self, method: str, path: str, form: Form | None = None
    ) -> tuple[int, http.client.HTTPResponse, bytes]:
        headers = {"Accept-Encoding": "identity"}
        if not self.keep_alive:
            headers["Connection"] = "close"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.connection is not None and time.monotonic() - self.last_used > (
            IDLE_RECONNECT_SECONDS
        ):
            self.close()  # the server may be closing it as we speak
        reused = self.connection is not None
        try:
            status, response, data = self._send(method, path, body, headers)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            self.close()
            # A reused connection the server had closed: a browser asks again on a new one.
            # Only a read, which changes nothing; a save is never sent twice.
            if not reused or method != "GET":
                raise
            self.reconnects += 1
            status, response, data = self._send(method, path, body, headers)
        self.last_used = time.monotonic()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie: SimpleCookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.will_close:
            self.close()
        return status, response, data

    def expect(
        self, method: str, path: str, wanted: int, form: Form | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        status, response, data = self.request(method, path, form)
        if status != wanted:
            raise RequestFailed(method, path, status, wanted)
        return response, data

    def sign_in(self, email: str, password: str) -> None:
        _, page = self.expect("GET", SIGN_IN_URL, 200)
        token = _csrf_token(page.decode())
        self.expect(
            "POST",
            SIGN_IN_URL,
            302,
            {"username": email, "password": password, "csrfmiddlewaretoken": token},
        )
        if "sessionid" not in self.cookies:
            raise SystemExit(f"accord bench --load: signing in as {email} gave no session")


def _csrf_token(html: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    if not found:
        raise SystemExit("accord bench --load: the page has no CSRF token")
    return found.group(1)


class EditForm(HTMLParser):
    """The fields a browser would send from the page's edit form (the form with no action of
    its own, not the sign-out button's): text, hidden, ticked boxes, chosen options, text
    areas; disabled fields left out, as a browser leaves them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._select_chosen = False
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("method", "").lower() == "post" and "action" not in a
            return
        if not self._in_form or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_chosen = name, False
        elif tag == "option" and self._select is not None and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
            self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # The newline straight after <textarea> is not part of its value.
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def edit_form_fields(html: str) -> list[tuple[str, str]]:
    parser = EditForm()
    parser.feed(html)
    parser.close()
    if not any(name == "version" for name, _ in parser.fields):
        raise ValueError("the edit page has no form with the record's version")
    return parser.fields


# Driving ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the clients ask for: the records the contributor may see and may change."""

    visible: list[str]
    editable: list[str]

    def url(self, kind: str, turn: int) -> str:
        if kind == "list":
            page = turn % LIST_PAGES + 1
            return "/collaborations/" if page == 1 else f"/collaborations/?page={page}"
        if kind == "record":
            return f"/collaborations/{self.visible[turn % len(self.visible)]}/"
        if kind == "search":
            return f"/collaborations/?q={SEARCHES[turn % len(SEARCHES)]}"
        return EXPORT_URL


def _timed(
    browser: Browser, kind: str, method: str, path: str, wanted: int, form: Form | None = None
) -> tuple[Sample, bytes]:
    started = time.perf_counter()
    try:
        status, _, data = browser.request(method, path, form)
    except Exception as exc:  # every exception is an error, reported
        finished = time.perf_counter()
        failure = f"{type(exc).__name__}: {exc}"
        return Sample(kind, method, path, finished, (finished - started) * 1000, None, failure), b""
    finished = time.perf_counter()
    error = None if status == wanted else f"answered {status}, not {wanted}"
    return Sample(kind, method, path, finished, (finished - started) * 1000, status, error), data


def _read_until(browser: Browser, plan: Plan, offset: int, deadline: float) -> list[Sample]:
    samples = []
    turn = offset
    while time.perf_counter() < deadline:
        kind = KINDS[turn % len(KINDS)]
        sample, _ = _timed(browser, kind, "GET", plan.url(kind, turn // len(KINDS)), 200)
        samples.append(sample)
        turn += 1
    return samples


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float  # the window asked for
    samples: list[Sample]
    started: float = 0.0
    ended: float = 0.0  # when the last request under way at the window's end was answered
    # The processor time the clients (and the writer) took in this process meanwhile: on a
    # small machine they compete with the server for it.
    client_cpu_seconds: float = 0.0
    # Each server worker's, busiest first.
    server_cpu_seconds: list[float] = field(default_factory=list)


def drive(name: str, browsers: list[Browser], plan: Plan, seconds: float) -> Phase:
    """Every browser goes round the plan until the time is up. A request under way then is
    finished, timed and checked, but throughput counts only what was answered in the window:
    the stragglers' drain, with fewer and fewer clients, is not the load asked for."""
    cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    with ThreadPoolExecutor(max_workers=len(browsers)) as pool:
        # Each client starts at its own kind of request and its own place in the lists, so
        # that the kinds mix at every moment and the clients ask for different pages.
        futures = [
            pool.submit(_read_until, b, plan, len(KINDS) * 7 * i + i % len(KINDS), deadline)
            for i, b in enumerate(browsers)
        ]
        samples = [s for f in futures for s in f.result()]
    ended = time.perf_counter()
    phase = Phase(name, len(browsers), seconds, samples, started, ended)
    phase.client_cpu_seconds = time.process_time() - cpu
    return phase


@dataclass
class Writer:
    """Saves records through the edit form at a steady rate until stopped."""

    browser: Browser
    plan: Plan
    per_second: float
    samples: list[Sample] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def save(self, turn: int) -> None:
        reference = self.plan.editable[turn % len(self.plan.editable)]
        path = f"/collaborations/{reference}/edit/"
        sample, page = _timed(self.browser, "edit form", "GET", path, 200)
        self.samples.append(sample)
        if sample.error:
            return
        try:
            fields = edit_form_fields(page.decode())
        except ValueError as exc:
            sample.error = str(exc)
            return
        note = f"Saved by the load benchmark, save {turn + 1}."
        form = [(k, v) for k, v in fields if k != "outcomes"] + [("outcomes", note)]
        sample, _ = _timed(self.browser, "save", "POST", path, 302, form)
        self.samples.append(sample)

    def run(self) -> None:
        interval = 1 / self.per_second
        due = time.perf_counter()
        turn = 0
        while not self.stop.is_set():
            self.save(turn)
            turn += 1
            due += interval
            # Behind time (saves slower than the rate): the next one straight away.
            self.stop.wait(max(0.0, due - time.perf_counter()))


# Reporting --------------------------------------------------------------------------------


def _rank(values: list[float], q: int) -> float:
    """The nearest-rank percentile, as the page benchmark's."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(1, -(-q * len(ordered) // 100)) - 1]


def summary(samples: list[Sample], phase: Phase) -> dict[str, Any]:
    """Times and errors of every request; requests a second of those answered within the
    phase's window."""
    times = [s.milliseconds for s in samples]
    window_end = phase.started + phase.seconds
    answered = sum(1 for s in samples if s.finished <= window_end)
    return {
        "requests": len(samples),
        "answered_in_window": answered,
        "requests_per_second": answered / phase.seconds,
        "errors": sum(1 for s in samples if s.error),
        "p50_ms": _rank(times, 50),
        "p95_ms": _rank(times, 95),
        "p99_ms": _rank(times, 99),
        "max_ms": max(times, default=0.0),
        "mean_ms": sum(times) / len(times) if times else 0.0,
    }


def _phase_report(phase: Phase) -> dict[str, Any]:
    report = summary(phase.samples, phase)
    report.update(
        {
            "clients": phase.clients,
            "seconds": phase.seconds,
            "drain_seconds": phase.ended - phase.started - phase.seconds,
            "client_cpu_seconds": phase.client_cpu_seconds,
            "server_cpu_seconds_by_worker": phase.server_cpu_seconds,
        }
    )
    report["by_kind"] = {
        kind: summary([s for s in phase.samples if s.kind == kind], phase) for kind in KINDS
    }
    return report


def _errors(named: dict[str, list[Sample]]) -> list[dict[str, Any]]:
    counted: Counter[tuple[str, str, str, str]] = Counter()
    for who, samples in named.items():
        for s in samples:
            if s.error:
                status = str(s.status) if s.status is not None else "exception"
                counted[(who, f"{s.method} {s.path}", status, s.error)] += 1
    return [
        {"phase": who, "request": request, "status": status, "error": error, "count": n}
        for (who, request, status, error), n in counted.most_common()
    ]


def report(
    args: argparse.Namespace,
    server: dict[str, Any],
    data_set: dict[str, Any],
    phases: dict[str, Phase],
    writer: Writer | None,
    load_before: tuple[float, float, float],
    load_after: tuple[float, float, float],
    reconnects: int,
) -> dict[str, Any]:
    solo, full = phases["one client"], phases["all clients"]
    writes: dict[str, Any] = {"per_second_asked": args.writes_per_second}
    named = {name: phase.samples for name, phase in phases.items()}
    if writer is not None:
        for name, phase in phases.items():
            during = [w for w in writer.samples if phase.started <= w.finished < phase.ended]
            writes[name] = {
                "saves": summary([w for w in during if w.kind == "save"], phase),
                "edit_forms": summary([w for w in during if w.kind == "edit form"], phase),
            }
        writes["total_saves"] = sum(1 for w in writer.samples if w.kind == "save" and not w.error)
        writes["total_errors"] = sum(1 for w in writer.samples if w.error)
        named["writer"] = writer.samples
    solo_rps = summary(solo.samples, solo)["requests_per_second"]
    full_rps = summary(full.samples, full)["requests_per_second"]
    ratio = full_rps / solo_rps if solo_rps else 0.0
    errors = _errors(named)
    total_errors = sum(e["count"] for e in errors)
    return {
        "command": "accord bench --load " + " ".join(_argv_of(args)),
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_before": list(load_before),
            "load_average_after": list(load_after),
            "python": sys.version.split()[0],
        },
        "server": server,
        "data_set": data_set,
        "phases": {name: _phase_report(phase) for name, phase in phases.items()},
        "writer": writes,
        "reconnects": reconnects,
        "throughput": {
            "one_client_rps": solo_rps,
            "all_clients_rps": full_rps,
            "ratio": ratio,
            "target_ratio": TARGET_RATIO,
        },
        "errors": errors,
        "total_errors": total_errors,
        "targets_met": total_errors == 0 and ratio >= TARGET_RATIO,
    }


def _argv_of(args: argparse.Namespace) -> list[str]:
    options = [
        f"--clients {args.clients}",
        f"--duration {args.duration:g}",
        f"--solo-duration {args.solo_duration:g}",
        f"--warmup {args.warmup:g}",
        f"--writes-per-second {args.writes_per_second:g}",
    ]
    if args.workers:
        options.append(f"--workers {args.workers}")
    defaults = {"collaborations": 5000, "organisations": 300, "users": 2000, "seed": 2017}
    options += [
        f"--{name} {getattr(args, name)}"
        for name, default in defaults.items()
        if getattr(args, name) != default
    ]
    return options


def print_report(console: Any, result: dict[str, Any]) -> None:
    from rich.table import Table

    server = result["server"]
    table = Table(
        title=f"Under load: accord serve (gunicorn, {server['workers']} workers × "
        f"{server['threads']} threads) on 127.0.0.1, every client signed in"
    )
    for header in ("Phase", "Requests", "Requests/s", "p50 ms", "p95 ms", "Errors"):
        table.add_column(header, justify="left" if header == "Phase" else "right")

    def row(label: str, s: dict[str, Any], style: str | None = None) -> None:
        table.add_row(
            label,
            f"{s['requests']:,}",
            f"{s['requests_per_second']:.1f}",
            f"{s['p50_ms']:.1f}",
            f"{s['p95_ms']:.1f}",
            str(s["errors"]),
            style="red" if s["errors"] else style,
        )

    for name, phase in result["phases"].items():
        clients = phase["clients"]
        row(f"{name} ({clients} client{'s' if clients != 1 else ''}): all reads", phase, "bold")
        for kind, s in phase["by_kind"].items():
            row(f"  {kind}", s)
        writes = result["writer"].get(name)
        if writes:
            row("  writer: saves", writes["saves"], "dim")
    console.print(table)
    t = result["throughput"]
    verdict = "yes" if t["ratio"] >= TARGET_RATIO else "NO"
    console.print(
        f"Throughput: {t['all_clients_rps']:.1f} requests/s with "
        f"{result['phases']['all clients']['clients']} clients against "
        f"{t['one_client_rps']:.1f} with one: {t['ratio']:.2f}× (target at least "
        f"{TARGET_RATIO:g}×: {verdict}). Errors: {result['total_errors']} (target 0)."
    )
    for name, phase in result["phases"].items():
        workers = ", ".join(f"{v:.1f}" for v in phase["server_cpu_seconds_by_worker"])
        console.print(
            f"Processor time in the {phase['seconds'] + phase['drain_seconds']:.1f} s with "
            f"{name}: the server's "
            f"workers {workers or 'unknown'} s; the clients (this process) "
            f"{phase['client_cpu_seconds']:.1f} s."
        )
    writer = result["writer"]
    if "total_saves" in writer:
        console.print(
            f"The writer saved {writer['total_saves']:,} records "
            f"({writer['per_second_asked']:g} a second asked), with {writer['total_errors']} "
            "errors."
        )
    for e in result["errors"][:20]:
        console.print(f"[red]{e['count']} × {e['phase']}: {e['request']}: {e['error']}[/red]")
    machine = result["machine"]
    console.print(
        f"Machine: {machine['cpus']} processors; load average before "
        f"{', '.join(f'{v:.2f}' for v in machine['load_average_before'])}, after "
        f"{', '.join(f'{v:.2f}' for v in machine['load_average_after'])}."
    )


# The server -------------------------------------------------------------------------------


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(host: str, port: int, workers: int | None, log: Path) -> Iterator[subprocess.Popen]:
    """`accord serve` in a process of its own (and its own process group, so that it and its
    workers are stopped together), against the environment's throwaway database."""
    command = [sys.executable, "-m", "accord.cli", "serve", "--host", host, "--port", str(port)]
    if workers:
        command += ["--workers", str(workers)]
    env = dict(os.environ, ACCORD_SECURE_COOKIES="0", PYTHONUNBUFFERED="1")
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        _wait_until_up(process, host, port, log)
        yield process
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen, host: str, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"accord bench --load: the server stopped:\n{_tail(log)}")
        with contextlib.suppress(OSError):
            connection = http.client.HTTPConnection(host, port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                connection.close()
                return
        time.sleep(0.2)
    raise SystemExit(f"accord bench --load: the server did not answer in 60 s:\n{_tail(log)}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # gunicorn's graceful stop: every request has been answered and every connection closed,
    # so it has nothing to wait for. (Its quick stop, SIGINT, at times left a worker waiting
    # out the 30-second grace period.)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def server_cpu(master: int) -> dict[int, float]:
    """Processor seconds each of the server's workers has used so far, from /proc (Linux;
    elsewhere nothing): shows how evenly the workers share the load."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    used: dict[int, float] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # The command may hold spaces and brackets: the fields follow the last ')'.
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == master:  # the parent's id
            used[int(stat.parent.name)] = (int(fields[11]) + int(fields[12])) / tick
    return used


def _tail(log: Path, lines: int = 30) -> str:
    """The end of the server's log, without its access log (a line a request)."""
    try:
        text = log.read_text(errors="replace")
    except OSError:
        return ""
    kept = [line for line in text.splitlines() if not ACCESS_LINE.match(line)]
    return "\n".join(kept[-lines:])


# The run ----------------------------------------------------------------------------------


def _prepare(args: argparse.Namespace, console: Any) -> tuple[dict[str, Any], Plan, str, str]:
    """The data set, the contributor's password, and what the clients will ask for."""
    import random

    from django.db import connections

    from accord.orgs.models import User
    from accord.register.models import Collaboration

    sizes = pages.build_dataset(args, console)
    user = User.objects.get(email="bench-user-00001@bench.accord.test")
    assert user.organisation_id is not None  # the data set's lead contributor
    password = secrets.token_urlsafe(18)
    user.set_password(password)
    user.save(update_fields=["password"])
    visible = Collaboration.objects.visible_to(user).filter(archived_at__isnull=True)
    references = list(visible.order_by("reference").values_list("reference", flat=True))
    editable = list(
        visible.filter(partners__organisation_id=user.organisation_id)
        .order_by("reference")
        .values_list("reference", flat=True)
    )
    rng = random.Random(args.seed)
    rng.shuffle(references)
    rng.shuffle(editable)
    data_set = {**sizes, "visible": len(references), "editable": len(editable)}
    connections.close_all()  # the server has the database now
    return data_set, Plan(references[:1000], editable), user.email, password


def run(args: argparse.Namespace, console: Any, tmpdir: Path) -> dict[str, Any]:
    pages._start_django(tmpdir)
    started = time.perf_counter()
    data_set, plan, email, password = _prepare(args, console)
    console.print(
        f"Built {data_set['collaborations']:,} collaborations in "
        f"{time.perf_counter() - started:.1f} s; the contributor may see "
        f"{data_set['visible']:,} and change {data_set['editable']:,}."
    )
    from accord.core.serving import default_workers

    port = args.port or _free_port(args.host)
    workers = args.workers or default_workers()
    server = {
        "command": f"accord serve --host {args.host} --port {port} --workers {workers}",
        "workers": workers,
        "threads": 4,
        "url": f"http://{args.host}:{port}/",
    }
    with served(args.host, port, args.workers, tmpdir / "server.log") as process:
        console.print(f"Serving on {server['url']} with {workers} workers.")
        readers = [
            Browser(args.host, port, keep_alive=not args.no_keep_alive) for _ in range(args.clients)
        ]
        writer_browser = Browser(args.host, port)
        try:
            with ThreadPoolExecutor(max_workers=min(8, args.clients)) as pool:
                list(pool.map(lambda b: b.sign_in(email, password), readers))
            if args.writes_per_second > 0:
                writer_browser.sign_in(email, password)
        except (RequestFailed, OSError, http.client.HTTPException) as exc:
            raise SystemExit(
                f"accord bench --load: signing in failed ({exc}); the server's log ends:\n"
                f"{_tail(tmpdir / 'server.log')}"
            ) from None
        console.print(f"Signed in {len(readers)} clients as {email}.")
        writer = None
        thread = None
        if args.writes_per_second > 0:
            writer = Writer(writer_browser, plan, args.writes_per_second)
            thread = threading.Thread(target=writer.run, name="writer", daemon=True)
        load_before = os.getloadavg()
        phases: dict[str, Phase] = {}
        try:
            if thread is not None:
                thread.start()
            if args.warmup:
                with console.status(f"Warming up: {len(readers)} clients, {args.warmup:g} s"):
                    phases["warm-up"] = drive("warm-up", readers, plan, args.warmup)
            for name, clients, seconds in (
                ("one client", readers[:1], args.solo_duration),
                ("all clients", readers, args.duration),
            ):
                before = server_cpu(process.pid)
                with console.status(f"{name}: {len(clients)} for {seconds:g} s"):
                    phases[name] = drive(name, clients, plan, seconds)
                after = server_cpu(process.pid)
                phases[name].server_cpu_seconds = sorted(
                    (after[pid] - before.get(pid, 0.0) for pid in after), reverse=True
                )
        finally:
            if writer is not None and thread is not None:
                writer.stop.set()
                thread.join(timeout=REQUEST_TIMEOUT_SECONDS)
        load_after = os.getloadavg()
        reconnects = sum(b.reconnects for b in readers)
        # Every connection closed first: gunicorn's graceful stop waits for open ones.
        for b in readers:
            b.close()
        if writer is not None:
            writer.browser.close()

    warmup = phases.pop("warm-up", None)
    result = report(args, server, data_set, phases, writer, load_before, load_after, reconnects)
    if warmup is not None:
        # Not measured, but its errors are errors.
        warm_errors = _errors({"warm-up": warmup.samples})
        result["errors"] = warm_errors + result["errors"]
        result["total_errors"] += sum(e["count"] for e in warm_errors)
        result["targets_met"] = result["targets_met"] and not warm_errors
        result["warmup_seconds"] = warmup.seconds
    return result


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    check_bounds(args)
    from rich.console import Console

    if args.json:  # the report on standard output, the rest beside it
        console = Console(stderr=True)
        if not console.is_terminal:
            console = Console(stderr=True, width=150)
    else:
        console = pages._console()
    tmpdir = Path(tempfile.mkdtemp(prefix="accord-bench-load-"))
    try:
        result = run(args, console, tmpdir)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    print_report(console, result)
    if args.json:
        json.dump(result, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0 if result["total_errors"] == 0 else 1
