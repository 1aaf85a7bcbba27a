"""Who sees what: a record someone may not see is absent everywhere."""

from typing import Any

import pytest
from django.test import Client

from accord.cli import main as accord

pytestmark = pytest.mark.django_db


def _body(client: Client, url: str) -> str:
    """A streamed export's whole text."""
    response = client.get(url)
    return b"".join(response.streaming_content).decode("utf-8-sig")


def _listed(client: Client, title: str, **query: str) -> bool:
    page = client.get("/collaborations/", query)
    return any(c.title == title for c in page.context["page"].object_list)


def _everywhere(client: Client, c: Any) -> dict[str, bool]:
    """Is the collaboration visible on each surface?"""
    return {
        "list": _listed(client, c.title),
        "search": _listed(client, c.title, q=c.title),
        "detail": client.get(f"/collaborations/{c.reference}/").status_code == 200,
        "export": c.reference in _body(client, "/collaborations/export/?format=csv"),
        "json": c.reference in _body(client, "/collaborations/export/?format=json"),
        "api": client.get(f"/api/collaborations/{c.reference}").status_code == 200,
        "api_list": c.reference in client.get("/api/collaborations").content.decode(),
    }


ALL = dict.fromkeys(["list", "search", "detail", "export", "json", "api", "api_list"], True)
NONE = dict.fromkeys(ALL, False)


def test_anonymous_visitors_see_public_records_only(
    client: Client, make_collaboration: Any
) -> None:
    public = make_collaboration("Open pilot", visibility="public")
    signed_in = make_collaboration("Members pilot", visibility="signed_in")
    assert _everywhere(client, public) == ALL
    assert _everywhere(client, signed_in) == NONE


def test_signed_in_records_are_seen_by_anyone_signed_in(
    client: Client, make_collaboration: Any, outsider: Any
) -> None:
    c = make_collaboration("Members pilot", visibility="signed_in")
    client.force_login(outsider)
    assert _everywhere(client, c) == ALL


def test_partners_only_records_are_seen_by_partners_and_absent_for_others(
    client: Client, collaboration: Any, colleague: Any, partner_user: Any, outsider: Any
) -> None:
    client.force_login(colleague)
    assert _everywhere(client, collaboration) == ALL
    client.force_login(partner_user)
    assert _everywhere(client, collaboration) == ALL
    client.force_login(outsider)
    assert _everywhere(client, collaboration) == NONE
    assert client.get(f"/collaborations/{collaboration.reference}/edit/").status_code == 404


def test_named_organisations_see_it_and_others_do_not(
    client: Client, make_collaboration: Any, outsider: Any, colleague: Any
) -> None:
    c = make_collaboration(
        "Named pilot",
        partners=(("RX9", "lead"),),
        visibility="named",
        named=("E23000030",),
    )
    client.force_login(outsider)  # Hampshire police: named
    assert _everywhere(client, c) == ALL
    client.force_login(colleague)  # Lincolnshire fire: neither partner nor named
    assert _everywhere(client, c) == NONE


def test_platform_administrators_see_everything(
    client: Client, collaboration: Any, platform_admin: Any
) -> None:
    client.force_login(platform_admin)
    assert _everywhere(client, collaboration) == ALL


def test_counts_leave_out_what_the_person_may_not_see(
    client: Client, make_collaboration: Any, outsider: Any
) -> None:
    make_collaboration("Open pilot", visibility="public")
    make_collaboration("Hidden pilot", visibility="partners")
    page = client.get("/collaborations/")
    assert page.context["total"] == 1
    assert sum(page.context["facets"]["status"].values()) == 1
    assert client.get("/api/collaborations").json()["count"] == 1
    client.force_login(outsider)
    assert client.get("/collaborations/").context["total"] == 1


def test_command_line_export_shows_only_what_the_named_user_may_see(
    make_collaboration: Any, outsider: Any, colleague: Any, capsysbinary: Any
) -> None:
    make_collaboration("Open pilot", visibility="public")
    hidden = make_collaboration("Hidden pilot", visibility="partners")
    assert accord(["export", "collaborations", "--format", "csv"]) == 0
    anonymous = capsysbinary.readouterr().out.decode()
    assert "Open pilot" in anonymous and hidden.title not in anonymous
    assert accord(["export", "collaborations", "--format", "json", "--as", outsider.email]) == 0
    assert hidden.title not in capsysbinary.readouterr().out.decode()
    assert accord(["export", "collaborations", "--format", "json", "--as", colleague.email]) == 0
    assert hidden.title in capsysbinary.readouterr().out.decode()
