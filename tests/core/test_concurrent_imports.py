"""Twenty people import 200 rows each at the same moment into the production server on
SQLite. Each import is one transaction: it is saved whole, or refused whole with a plain
"busy, send it again" page (503 with Retry-After). None is a server error, and nothing is ever
half written. Before WAL, the busy timeout and immediate transactions, ten of twenty were
HTTP 500 "database is locked"."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from django.http import HttpResponse

ACCORD = Path(sys.executable).with_name("accord")
PEOPLE = 20
ROWS = 200
PASSWORD = "concurrent imports 2026"
TIMES: list[float] = []
HEADER = "reference,title,summary,research_area,nature,status,partners\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _csv(person: int) -> bytes:
    rows = [
        f"CC{person:02d}-{n:03d},Import {person} row {n},Concurrent import,effective,"
        f"co_responding,operational,E31000025:lead\n"
        for n in range(ROWS)
    ]
    return (HEADER + "".join(rows)).encode()


def _multipart(fields: dict[str, str], name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _csrf(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=60) as response:
        page = response.read().decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def _import(base: str, email: str, person: int) -> tuple[int, str]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = _csrf(opener, f"{base}/accounts/sign-in/")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(
        f"{base}/accounts/sign-in/", data=form, headers={"Referer": f"{base}/accounts/sign-in/"}
    )
    # Signing in writes too (the session, the sign-in log): a person told the site is busy
    # waits as the page says and signs in again.
    for _ in range(20):
        try:
            with opener.open(request, timeout=120) as response:
                assert "/accounts/sign-in/" not in response.url, f"{email} could not sign in"
            break
        except urllib.error.HTTPError as exc:
            assert exc.code == 503, exc.code
            assert "nothing was saved" in exc.read().decode()
            time.sleep(int(exc.headers["Retry-After"]))
    token = _csrf(opener, f"{base}/collaborations/import/")
    body, content_type = _multipart({"csrfmiddlewaretoken": token}, "mine.csv", _csv(person))
    request = urllib.request.Request(
        f"{base}/collaborations/import/",
        data=body,
        headers={"Content-Type": content_type, "Referer": f"{base}/collaborations/import/"},
    )
    started = time.perf_counter()
    try:
        with opener.open(request, timeout=180) as response:
            TIMES.append(time.perf_counter() - started)
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.skipif(not ACCORD.exists(), reason="the accord command is not installed")
def test_twenty_concurrent_imports_each_save_whole_or_are_told_to_retry(tmp_path: Path) -> None:
    database = tmp_path / "imports.sqlite3"
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{database}",
        "ACCORD_SECURE_COOKIES": "0",
        "ACCORD_LOCKOUT_FAILURES": "1000",
    }
    subprocess.run([str(ACCORD), "migrate"], env=env, check=True, timeout=600)
    subprocess.run([str(ACCORD), "import", "organisations"], env=env, check=True, timeout=600)
    emails = [f"importer{n}@lincs-fire.test" for n in range(PEOPLE)]
    # One process adds all twenty, through the same service as `accord user add`.
    script = (
        "from accord.orgs import services\n"
        f"for email in {emails!r}:\n"
        "    services.add_user(email=email, organisation_code='E31000025', "
        f"role='contributor', password={PASSWORD!r}, name='')\n"
    )
    subprocess.run(
        [str(ACCORD), "manage", "shell", "-c", script],
        env=env, check=True, timeout=300, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [str(ACCORD), "serve", "--port", str(port), "--workers", "4"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(450):
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                    break
            except OSError:
                time.sleep(0.2)
        with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
            answers = list(pool.map(lambda n: _import(base, emails[n], n), range(PEOPLE)))
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    statuses = [status for status, _ in answers]
    assert all(status in (200, 503) for status in statuses), (statuses, output[-3000:])
    for status, page in answers:
        if status == 503:
            assert "nothing was saved" in page
    with sqlite3.connect(database) as db:
        counts = dict(
            db.execute(
                "SELECT substr(reference, 1, 4), count(*) FROM register_collaboration "
                "WHERE reference LIKE 'CC%' GROUP BY 1"
            ).fetchall()
        )
    saved = [n for n, (status, page) in enumerate(answers) if status == 200]
    # Every import that answered 200 is there whole; every other is not there at all.
    assert counts == {f"CC{n:02d}": ROWS for n in saved}
    assert "Traceback" not in output
    assert len(saved) >= 1
    print(f"saved {len(saved)} of {PEOPLE}; 503 {statuses.count(503)}; seconds {sorted(TIMES)}")


@pytest.mark.django_db
def test_a_write_that_waited_too_long_for_the_lock_is_a_plain_busy_page(rf: Any) -> None:
    from django.contrib.auth.models import AnonymousUser
    from django.db import OperationalError

    from accord.core.middleware import ProblemsMiddleware

    middleware = ProblemsMiddleware(lambda request: HttpResponse())
    request = rf.post("/collaborations/import/")
    request.user = AnonymousUser()
    response = middleware.process_exception(request, OperationalError("database is locked"))
    assert response is not None and response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "nothing was saved" in response.content.decode()
    # Any other database error is not a busy database: it stays a server error.
    assert middleware.process_exception(request, OperationalError("no such table: x")) is None
