"""What the browser tests share: where Chromium is, signing in, reading axe's verdict, and
hearing what the Content-Security-Policy blocked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
BLOCKING_IMPACTS = {"serious", "critical"}

# Run in every page before its own scripts: each violation the browser reports as an event is
# also written to the console, where the test hears it.
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error("Content Security Policy violation: " + event.effectiveDirective + " blocked "
    + (event.blockedURI || "inline") + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""


def sign_in(page: Any, site: str, email: str) -> None:
    page.goto(f"{site}/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" not in page.url, page.content()[:2000]


def axe_blocking(page: Any) -> list[dict[str, Any]]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node.get('target')}: {node.get('html', '')[:200]}")
            if node.get("failureSummary"):
                lines.append(f"      {node['failureSummary'][:300]}")
    return "\n".join(lines)


def watch_csp(context: Any, violations: list[str]) -> None:
    """Append to `violations` what the Content-Security-Policy blocks on any page of `context`:
    the browser's own console message ("Refused to ... because it violates the following
    Content Security Policy directive"), the violation event, and an uncaught error it caused
    (a refused `new Function` is an EvalError)."""
    context.add_init_script(_REPORT_VIOLATIONS)

    def heard(text: str) -> None:
        if "Content Security Policy" in text or "unsafe-eval" in text:
            violations.append(text)

    context.on("console", lambda message: heard(message.text))
    context.on("weberror", lambda error: heard(str(error.error)))
