"""The home page in a real browser (Debian's Chromium), as the every-page test checks each
page, for the home page alone and for each kind of person: axe finds nothing serious or
critical, and the page is no wider than the screen, at 1280 px and 375 px, for a visitor, a
reader, a contributor, a moderator and a platform administrator; and nothing is blocked by the
Content-Security-Policy."""

from __future__ import annotations

from typing import Any

import pytest
from tests.browser.conftest import (  # noqa: F401
    _restore_reference_organisations,
    browser,
    site,
)
from tests.browser.support import CHROMIUM, watch_csp
from tests.browser.test_every_page_browser import (
    DESKTOP,
    PHONE,
    Look,
    _check,
    _sign_in_as,
    _visit,
)
from tests.browser.test_every_page_browser import full_world as full_world
from tests.browser.test_every_page_browser import world as world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]


def test_the_home_page_passes_axe_at_both_widths_for_everyone(
    browser: Any,  # noqa: F811
    site: str,  # noqa: F811
    full_world: dict[str, Any],
) -> None:
    from axe_playwright_python.base import AXE_SCRIPT
    from tests.support.lessons_factories import make_lesson
    from tests.support.people import make_person

    from accord.lessons import services as lessons

    people = {n: make_person(n) for n in ("owner", "moderator", "colleague", "platform_admin")}
    # Something in every panel: an action overdue and a lesson waiting for its moderator.
    lesson = make_lesson(people["owner"], state="published", moderator=people["moderator"])
    lessons.add_action(
        people["owner"],
        lesson,
        title="Load the talkgroups",
        owner_email=people["owner"].email,
        due=lesson.occurred_on,
    )
    make_lesson(people["owner"], state="submitted", title="Handover at the county border")
    csp: list[str] = []
    looks = []
    for viewport in (DESKTOP, PHONE):
        phone = viewport is PHONE
        context = browser.new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        context.add_init_script(AXE_SCRIPT)
        context.set_default_timeout(15_000)
        watch_csp(context, csp)
        looks.append(Look(viewport["width"], context.new_page(), ""))
    steps = [_visit(site, "home: visitor", "/")]
    for name in ("colleague", "owner", "moderator", "platform_admin"):
        steps += [_sign_in_as(site, people[name].email), _visit(site, f"home: {name}", "/")]
    try:
        for step in steps:
            checked = []
            for look in looks:
                look.paths.clear()  # the same address, seen by each person
                found = step(look)
                if found is not None:
                    checked.append((look, found))
            _check(checked)
    finally:
        for look in looks:
            look.page.context.close()
    for look in looks:
        assert [n for n in look.seen if n.startswith("home")] == [
            "home: visitor",
            "home: colleague",
            "home: owner",
            "home: moderator",
            "home: platform_admin",
        ]
    assert not any(look.violations or look.too_wide for look in looks), "\n".join(
        look.report() for look in looks
    )
    assert csp == [], "blocked by the Content-Security-Policy:\n" + "\n".join(csp)
