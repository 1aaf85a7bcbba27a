"""`accord serve` runs gunicorn, a production server, and answers on the port it was given."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ACCORD = Path(sys.executable).with_name("accord")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.skipif(not ACCORD.exists(), reason="the accord command is not installed")
def test_accord_serve_answers_through_gunicorn(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "ACCORD_SECURE_COOKIES": "0",
    }
    subprocess.run([str(ACCORD), "migrate"], env=env, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [str(ACCORD), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        body = ""
        for _ in range(450):  # up to 90 s for the workers to start on a busy machine
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    body = r.read().decode()
                    server_header = r.headers.get("Server", "")
                break
            except OSError:
                time.sleep(0.2)
        assert '"status": "ok"' in body
        assert "gunicorn" in server_header
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert "Serving Accord with gunicorn" in output
    assert "runserver" not in output and "development server" not in output


@pytest.mark.skipif(not ACCORD.exists(), reason="the accord command is not installed")
def test_with_the_analytics_worker_on_serve_runs_it_beside_gunicorn_and_stops_it(
    tmp_path: Path,
) -> None:
    env = {
        **os.environ,
        "ACCORD_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "ACCORD_SECURE_COOKIES": "0",
        "ACCORD_ANALYTICS_WORKER": "1",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run([str(ACCORD), "migrate"], env=env, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [str(ACCORD), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(server.stdout or ()), daemon=True)
    reader.start()
    try:
        for _ in range(600):  # up to 2 minutes for both to start on a busy machine
            if any("Running queued analyses as they come" in line for line in lines):
                break
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=60)
        reader.join(timeout=10)
    output = "".join(lines)
    assert "Running the analyses' worker beside the server (process " in output
    assert "Running queued analyses as they come" in output
    pid = int(output.split("beside the server (process ")[1].split(")")[0])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped with the server, not left behind
