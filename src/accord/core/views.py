from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.urls import NoReverseMatch, reverse
from ninja.openapi.docs import Swagger

from .disclosure import DEFAULT as DEFAULT_THRESHOLD
from .forms import PlainTextForm
from .models import AuditEvent
from .panels import render_panels
from .widgets import OrganisationsChoiceField


def home(request: HttpRequest) -> HttpResponse:
    """A signed-in person's dashboard, a visitor's public national picture: each app's panel
    of the "home" slot (core.panels), each saying for itself what this person may see."""
    return render(request, "core/home.html", {"panels": render_panels("home", request, None)})


def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def audit_log(request: HttpRequest) -> HttpResponse:
    if not getattr(request.user, "is_platform_admin", False):
        raise Http404("No such page")
    page = Paginator(AuditEvent.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})


# The site's own pages: accessibility, privacy, cookies, contact, help ------------------------


def _contact() -> dict[str, Any]:
    return {"contact_email": settings.CONTACT_EMAIL}


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html", _contact())


def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/privacy.html",
        {
            **_contact(),
            "marking": settings.PROTECTIVE_MARKING,
            "public_marking": settings.PUBLIC_MARKING,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "threshold": settings.DISCLOSURE_THRESHOLD,
        },
    )


def cookies(request: HttpRequest) -> HttpResponse:
    """The cookies Accord sets, named as the settings name them: only what it needs to work."""
    return render(
        request,
        "pages/cookies.html",
        {
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "session_hours": settings.SESSION_COOKIE_AGE // 3600,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "csrf_days": round(settings.CSRF_COOKIE_AGE / 86400) if settings.CSRF_COOKIE_AGE else 0,
            "messages_cookie": getattr(settings, "MESSAGE_COOKIE_NAME", "messages"),
        },
    )


def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/contact.html", _contact())


@dataclass(frozen=True)
class HelpTopic:
    slug: str
    title: str
    summary: str


#: The help pages, in the order the help index lists them: the research's and the appraisal's
#: words, each explained in templates/pages/help/<slug>.html with its source.
HELP_TOPICS = [
    HelpTopic(
        "service-mix",
        "Service mix",
        "Which services a collaboration brings together: intra-service, a pair, tri-service "
        "or wider public service.",
    ),
    HelpTopic(
        "three-cs",
        "The three Cs",
        "Clear vision, consistency and culture: the research's three conditions for collaboration.",
    ),
    HelpTopic(
        "enablers-and-barriers",
        "Enablers and barriers",
        "The seven things the research found help collaboration and the six that hold it back.",
    ),
    HelpTopic(
        "deadweight",
        "Deadweight",
        "How much of an outcome would have happened anyway.",
    ),
    HelpTopic("attribution", "Attribution", "How much of an outcome is owed to others."),
    HelpTopic(
        "displacement",
        "Displacement",
        "How much of an outcome was moved from somewhere else rather than made.",
    ),
    HelpTopic("drop-off", "Drop-off", "How much an outcome fades each year after its first."),
    HelpTopic(
        "optimism-bias",
        "Optimism bias",
        "Why appraisals raise their costs and trim their benefits before they are compared.",
    ),
    HelpTopic(
        "disclosure-threshold",
        "Disclosure threshold",
        "Why assessment results appear only when enough people have answered.",
    ),
]
_TOPICS = {topic.slug: topic for topic in HELP_TOPICS}


def help_index(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/help.html", {"topics": HELP_TOPICS})


def help_topic(request: HttpRequest, topic: str) -> HttpResponse:
    found = _TOPICS.get(topic)
    if found is None:
        raise Http404("No such help page")
    return render(
        request,
        f"pages/help/{found.slug}.html",
        {
            "topic": found,
            "topics": HELP_TOPICS,
            "threshold": settings.DISCLOSURE_THRESHOLD,
            "default_threshold": DEFAULT_THRESHOLD,
        },
    )


def _organisations() -> Any:
    # The organisations people belong to, reached through the user model: the kernel imports
    # no app, and this page only reads the reference list.
    model = get_user_model()._meta.get_field("organisation").related_model
    return model._default_manager.filter(active=True).order_by("name")  # type: ignore[union-attr]


class FindOrganisationsForm(PlainTextForm):
    organisations = OrganisationsChoiceField(
        label="Organisations",
        queryset=None,
        required=False,
        help_text="Choose one or more organisations by name or code.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = _organisations()  # type: ignore[attr-defined]


def help_organisations(request: HttpRequest) -> HttpResponse:
    """Look organisations up by name or code: the codes an import or the API asks for."""
    form = FindOrganisationsForm(request.GET if "organisations" in request.GET else None)
    found = form.cleaned_data["organisations"] if form.is_bound and form.is_valid() else []
    return render(
        request,
        "pages/help/organisations.html",
        {"form": form, "found": found, "topics": HELP_TOPICS, "count": _organisations().count()},
    )


# Error pages -------------------------------------------------------------------------------


def _personal_link_prefixes() -> list[str]:
    """The paths under which personal links live ("/assessments/respond/")."""
    prefixes = []
    for name in getattr(settings, "PERSONAL_LINK_URL_NAMES", []):
        try:
            example = reverse(name, args=["0"])
        except NoReverseMatch:
            continue
        prefixes.append(example[: example.rindex("0")])
    return prefixes


def is_personal_link(request: HttpRequest) -> bool:
    return any(request.path.startswith(prefix) for prefix in _personal_link_prefixes())


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """404 in the site's layout; a personal link that does not work says to ask its sender
    for a new one (and shows only the plain header a respondent sees)."""
    link = is_personal_link(request)
    content = loader.render_to_string(
        "404.html", {"personal_link": link, "plain_header": link}, request
    )
    return HttpResponseNotFound(content)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused because its security token was missing or stale (settings'
    CSRF_FAILURE_VIEW): the form was open too long, or cookies are blocked."""
    link = is_personal_link(request)
    content = loader.render_to_string(
        "errors/csrf.html", {"plain_header": link, "personal_link": link}, request
    )
    return HttpResponseForbidden(content)


def server_error(request: HttpRequest) -> HttpResponse:
    """500 in the site's layout, rendered without the request's context or the database
    (either may be what failed)."""
    content = loader.render_to_string(
        "500.html",
        {"protective_marking": settings.PROTECTIVE_MARKING, "plain_header": True},
    )
    return HttpResponseServerError(content)


# The API's documentation page ----------------------------------------------------------------


class SiteSwagger(Swagger):
    """django-ninja's Swagger UI inside the site's layout (templates/pages/api_docs.html): a
    link back, a note on signing requests with a personal token, and Swagger UI started from
    a static file (static/accord/swagger-init.js), as the Content-Security-Policy allows no
    inline script. ``NinjaAPI(..., docs=SiteSwagger())``."""

    template = "pages/api_docs.html"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        # No deep links: Swagger UI would put each as a link inside the operation's button,
        # nesting one control in another (axe: nested-interactive).
        super().__init__({"deepLinking": False, **(settings or {})})

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings_for_ui = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            self.template,
            {
                "swagger_settings": settings_for_ui,
                "api": api,
                "csrf_needed": any(getattr(a, "csrf", False) for a in (api.auth or [])),
            },
        )
