"""The disclosure threshold is read in one place, and a value that would suppress nothing (0) or
that is not a number stops start-up with a message naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from accord.core.disclosure import BadThreshold, disclosure_threshold


def test_the_default_is_five_and_a_set_value_is_used() -> None:
    assert disclosure_threshold({}) == 5
    assert disclosure_threshold({"ACCORD_DISCLOSURE_THRESHOLD": " 10 "}) == 10


@pytest.mark.parametrize("value", ["0", "-3", "five", "2.5"])
def test_a_threshold_that_is_not_a_whole_number_of_at_least_one_is_refused(value: str) -> None:
    with pytest.raises(BadThreshold, match="ACCORD_DISCLOSURE_THRESHOLD"):
        disclosure_threshold({"ACCORD_DISCLOSURE_THRESHOLD": value})


def test_the_site_will_not_start_with_a_threshold_of_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import django; import accord.settings"],
        env={**os.environ, "ACCORD_DISCLOSURE_THRESHOLD": "0"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "ACCORD_DISCLOSURE_THRESHOLD must be at least 1, not 0" in result.stderr
