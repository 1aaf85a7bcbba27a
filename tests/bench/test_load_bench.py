"""`accord bench --load`: signed-in clients and a writer against the real server, on this
machine only, bounded in clients and time."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from accord.bench import load


def test_a_tiny_load_on_the_real_server_reports_every_phase_without_errors() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    command = [sys.executable, "-m", "accord.cli", "bench", "--load"]
    command += ["--clients", "2", "--duration", "2", "--solo-duration", "1", "--warmup", "0"]
    command += ["--writes-per-second", "2", "--workers", "1"]
    command += ["--collaborations", "150", "--users", "20", "--organisations", "120", "--json"]
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-3000:]
    report = json.loads(finished.stdout)

    assert report["total_errors"] == 0 and report["errors"] == [], report["errors"]
    assert report["server"]["command"].startswith("accord serve --host 127.0.0.1")
    assert set(report["phases"]) == {"one client", "all clients"}
    alone, together = report["phases"]["one client"], report["phases"]["all clients"]
    assert (alone["clients"], together["clients"]) == (1, 2)
    for phase in (alone, together):
        assert set(phase["by_kind"]) == {"list", "record", "search", "export"}
        assert phase["requests"] == sum(k["requests"] for k in phase["by_kind"].values())
        assert phase["requests"] > 0 and phase["requests_per_second"] > 0
        assert 0 < phase["p50_ms"] <= phase["p95_ms"] <= phase["max_ms"]
        assert phase["errors"] == 0
    throughput = report["throughput"]
    assert throughput["ratio"] == pytest.approx(
        throughput["all_clients_rps"] / throughput["one_client_rps"]
    )
    # The writer saved through the edit form while the clients read.
    assert report["writer"]["total_saves"] > 0 and report["writer"]["total_errors"] == 0
    assert len(report["machine"]["load_average_before"]) == 3
    # The table went to standard error, beside the JSON.
    assert "Throughput:" in finished.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--host", "example.org"], "refusing to load 'example.org'"),
        (["--host", "10.0.0.7"], "only 127.0.0.1 or localhost"),
        (["--clients", "201"], "--clients must be from 1 to 200"),
        (["--clients", "0"], "--clients must be from 1 to 200"),
        (["--duration", "301"], "at most 300 seconds"),
        (["--solo-duration", "0"], "--solo-duration must be more than 0"),
        (["--writes-per-second", "1000"], "--writes-per-second must be from 0 to 20"),
    ],
)
def test_an_unbounded_or_distant_load_is_refused_before_anything_starts(
    options: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as refused:
        load.main(options)
    assert message in str(refused.value)
