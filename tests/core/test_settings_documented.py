"""Every setting an operator can change is in the README's configuration table."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_environment_variable_read_by_settings_is_documented() -> None:
    # The settings, and the kernel's pure module that reads the disclosure threshold for them.
    settings_source = "".join(
        (ROOT / "src" / "accord" / name).read_text()
        for name in ("settings.py", "core/disclosure.py", "core/audit.py")
    )
    readme = (ROOT / "README.md").read_text()
    names = set(re.findall(r'"((?:ACCORD|DATABASE)_[A-Z_]+)"', settings_source))
    assert "DATABASE_URL" in names and len(names) > 5
    missing = sorted(name for name in names if f"`{name}`" not in readme)
    assert missing == [], f"settings not in README's table: {missing}"
