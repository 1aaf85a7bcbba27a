"""The layer contracts in pyproject.toml fail the build when a layer is crossed: shown on a
copy of the source with one forbidden import added."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(tree / "pyproject.toml"), "--no-cache"],
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree / "src")},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not LINT_IMPORTS.exists():
        pytest.skip("import-linter is not installed beside this Python")
    copy = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        ROOT / "src", copy / "src", ignore=shutil.ignore_patterns("static", "__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", copy)
    return copy


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # The kernel reaching up into a domain app.
        ("core/upward.py", "from accord.register import services", "Layers"),
        # One domain app reaching into another's models, past its services.
        ("appraisal/sideways.py", "from accord.register import models", "services"),
        # Pure mathematics importing Django.
        ("register/mix.py", "import django.db", "Pure domain mathematics"),
        # A circle: the register's services importing its importer, which imports them.
        ("register/services.py", "from accord.register import importers", "circles"),
    ],
)
def test_crossing_a_layer_fails_the_build(
    tree: Path, module: str, line: str, contract: str
) -> None:
    target = tree / "src" / "accord" / module
    original = target.read_text() if target.exists() else None
    target.write_text((original or "") + f"\n{line}\n")
    try:
        result = _lint(tree)
    finally:
        if original is None:
            target.unlink()
        else:
            target.write_text(original)
    assert result.returncode != 0
    broken = [ln for ln in result.stdout.splitlines() if " BROKEN" in ln]
    assert any(contract in ln for ln in broken), result.stdout


def test_the_tree_as_it_is_keeps_every_contract(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout
    assert " BROKEN" not in result.stdout
