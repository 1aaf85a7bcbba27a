"""Accounts in a real browser: a password reset through the email backend, and an organisation
administrator inviting a colleague who sets a password and signs in. Every page on the way is
checked with axe at 1280 px and at 375 px, and must fit a 375 px screen.

Emails go to Django's locmem backend (the live server runs in this process), and their links
start with the live server's address (ACCORD_SITE_URL set to it).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from tests.browser.support import CHROMIUM, axe_blocking, describe, sign_in
from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium"),
]

NEW_PASSWORD = "lantern-orchard-quietly-7"
WIDTHS = (1280, 375)


@pytest.fixture
def links_here(site: str, settings: Any) -> str:
    settings.SITE_URL = site
    mail.outbox.clear()
    return site


def person(email: str, role: str, password: str | None = PASSWORD) -> Any:
    from accord.orgs.models import Organisation, User

    return User.objects.create_user(
        email=email,
        password=password,
        organisation=Organisation.objects.get(code="E31000025"),
        role=role,
        first_name="Alex",
        last_name="Morgan",
    )


def check_page(page: Any, what: str, checked: list[str]) -> None:
    """axe at both widths, and nothing wider than a phone's screen at 375 px."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        violations = axe_blocking(page)
        assert violations == [], f"{what} at {width} px:\n{describe(violations)}"
        if width == 375:
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= 375, f"{what} is {wide} px wide at 375 px"
    page.set_viewport_size({"width": 1280, "height": 900})
    checked.append(what)


def emailed_link(site: str) -> str:
    found = re.search(re.escape(site) + r"/accounts/\S+/", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(0)


def test_a_person_resets_a_forgotten_password_and_signs_in(page: Any, links_here: str) -> None:
    site = links_here
    owner = person("reset@lincs-fire.test", "contributor")
    checked: list[str] = []

    page.goto(f"{site}/accounts/sign-in/")
    check_page(page, "sign-in", checked)
    page.get_by_role("link", name="Forgotten your password?").click()
    page.wait_for_load_state()
    check_page(page, "reset request", checked)

    # A wrong address first: GOV.UK's error summary.
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    assert page.get_by_text("There is a problem").is_visible()
    check_page(page, "reset request with an error", checked)

    page.get_by_label("Email address").fill(owner.email.upper())
    page.get_by_role("button", name="Send the link").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Check your email"
    check_page(page, "reset sent", checked)

    (message,) = mail.outbox
    assert message.to == [owner.email]
    page.goto(emailed_link(site))
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Choose a new password"
    check_page(page, "choose a new password", checked)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save password").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your password has been changed").is_visible()
    check_page(page, "password changed", checked)

    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    page.get_by_label("Email address").fill(owner.email)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/sign-in/" not in page.url

    # Used once, the link says so.
    page.goto(emailed_link(site))
    assert page.get_by_role("heading", level=1).inner_text() == "This link does not work"
    check_page(page, "a used link", checked)
    assert len(checked) == 7


def test_an_organisation_administrator_invites_a_colleague_who_signs_in(
    page: Any, browser: Any, links_here: str, csp_violations: list[str]
) -> None:
    from tests.browser.support import watch_csp

    site = links_here
    admin = person("boss@lincs-fire.test", "org_admin")
    checked: list[str] = []

    sign_in(page, site, admin.email)
    page.goto(f"{site}/accounts/")
    check_page(page, "your account", checked)
    page.get_by_role("link", name=re.compile("Manage the people of")).click()
    page.wait_for_load_state()
    check_page(page, "people", checked)
    page.get_by_role("button", name="Invite someone").click()
    page.wait_for_load_state()
    check_page(page, "invite", checked)

    # Nothing chosen: GOV.UK's messages.
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Enter their email address").first.is_visible()
    check_page(page, "invite with errors", checked)

    page.get_by_label("Email address").fill("newcomer@lincs-fire.test")
    page.get_by_label("First name").fill("Jo")
    page.get_by_role("radio", name=re.compile("^Contributor")).check()
    page.get_by_role("button", name="Send invitation").click()
    page.wait_for_load_state()
    assert page.get_by_text("Invitation sent to newcomer@lincs-fire.test").is_visible()
    assert "Invited: has not set a password yet" in page.locator("#person-status").inner_text()
    check_page(page, "a person", checked)

    # The colleague, in a browser of their own.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watch_csp(context, csp_violations)
    theirs = context.new_page()
    try:
        theirs.goto(emailed_link(site))
        theirs.wait_for_load_state()
        assert theirs.get_by_role("heading", level=1).inner_text() == "Set your password"
        check_page(theirs, "set your password", checked)
        theirs.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
        theirs.get_by_label("Confirm new password").fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Save password").click()
        theirs.wait_for_load_state()
        assert theirs.get_by_text("Your password is set").is_visible()
        theirs.get_by_role("button", name="Sign in").click()
        theirs.wait_for_load_state()
        theirs.get_by_label("Email address").fill("newcomer@lincs-fire.test")
        theirs.get_by_label("Password").fill(NEW_PASSWORD)
        theirs.get_by_role("button", name="Sign in").click()
        theirs.wait_for_load_state()
        theirs.goto(f"{site}/accounts/")
        assert "Contributor" in theirs.locator("dl").inner_text()
        check_page(theirs, "the newcomer's account", checked)
        theirs.goto(f"{site}/accounts/password/")
        check_page(theirs, "change password", checked)
    finally:
        context.close()

    # Back with the administrator: the newcomer is active now; deactivate them.
    page.reload()
    assert page.locator("#person-status").inner_text() == "Active"
    page.get_by_role("button", name=re.compile("^Deactivate")).click()
    page.wait_for_load_state()
    assert "Deactivated" in page.locator("#person-status").inner_text()
    check_page(page, "a deactivated person", checked)
    assert len(checked) == 9
