"""Single sign-on by OpenID Connect (mozilla-django-oidc), off unless ACCORD_OIDC_ENABLED.

The flow: the sign-in page's button leads to `start`, which sends the browser to the provider's
authorisation endpoint with a fresh state, nonce and PKCE challenge kept in the session; the
provider sends it back to `callback` with a code, which `SignOnBackend` exchanges (server to
server) for an ID token, checks (RS256 signature against the provider's keys, nonce, audience,
issuer) and follows with the provider's userinfo.

Who the person is in Accord is decided here, never by the provider's claims beyond the email:
- someone whose address (ignoring case) belongs to an account is signed in as that account,
  with the organisation and role Accord already gives them;
- someone new is added as a reader at the organisation that platform administrators mapped
  their email's domain to (`EmailDomain`), audited as added by single sign-on; with no mapping
  they are refused and nothing is written;
- a deactivated person is refused.

The callback calls the backend itself rather than through `django.contrib.auth.authenticate`:
a refusal here is no guessed password, so it must not count towards django-axes' lockout of
an address (which all people at one office share). The backend stays in
AUTHENTICATION_BACKENDS so that the sessions it starts are recognised, and answers `None` to
every ordinary `authenticate` call, so password sign-in never reaches the provider.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib import auth
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.views.generic import View
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from accord.core.problems import PermissionRefused

from . import services
from .models import User

logger = logging.getLogger(__name__)

BACKEND = "accord.orgs.sso.SignOnBackend"
#: Where a refusal waits for the sign-in page to show it.
REFUSAL_KEY = "accord_sso_refusal"
#: The provider's document that lists its endpoints, below its issuer (OpenID Connect Discovery).
DISCOVERY_PATH = "/.well-known/openid-configuration"
#: How long a discovery document is trusted before it is fetched again.
DISCOVERY_SECONDS = 3600

DID_NOT_COMPLETE = (
    "Single sign-on did not complete. Try again, or sign in with your email address and password."
)
UNAVAILABLE = (
    "The single sign-on service could not be reached. Try again in a few minutes, or sign in "
    "with your email address and password."
)


class SignOnRefused(Exception):
    """The provider vouched for someone whom Accord will not sign in; the message says why, in
    words for that person. Not a SuspiciousOperation, which the library would swallow."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderUnavailable(Exception):
    """The provider's discovery document could not be read or does not describe it."""


# Settings ----------------------------------------------------------------------------------


def enabled() -> bool:
    return bool(getattr(settings, "SSO_ENABLED", False))


def provider_name() -> str:
    return str(getattr(settings, "SSO_PROVIDER_NAME", "") or "single sign-on")


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_endpoint: str


#: The endpoints, each from its setting or else from the issuer's discovery document.
ENDPOINTS = {
    "authorization_endpoint": "OIDC_OP_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "OIDC_OP_TOKEN_ENDPOINT",
    "userinfo_endpoint": "OIDC_OP_USER_ENDPOINT",
    "jwks_endpoint": "OIDC_OP_JWKS_ENDPOINT",
}
#: Discovery's names for them (jwks_uri differs).
DISCOVERY_NAMES = {
    "authorization_endpoint": "authorization_endpoint",
    "token_endpoint": "token_endpoint",
    "userinfo_endpoint": "userinfo_endpoint",
    "jwks_endpoint": "jwks_uri",
}

_discovered: dict[str, tuple[float, dict[str, str]]] = {}
_discovery_lock = threading.Lock()


def _same_issuer(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def discover(issuer: str) -> dict[str, str]:
    """The endpoints the issuer's discovery document names, fetched at most once an hour."""
    with _discovery_lock:
        cached = _discovered.get(issuer)
        if cached is not None and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    url = issuer.rstrip("/") + DISCOVERY_PATH
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"{url}: {exc}") from exc
    if not isinstance(document, dict) or not _same_issuer(str(document.get("issuer")), issuer):
        # Discovery requires the document to name the issuer it was fetched for: anything else
        # is another provider's (or nobody's) endpoints.
        raise ProviderUnavailable(f"{url} does not describe the issuer {issuer}")
    endpoints = {ours: str(document.get(theirs) or "") for ours, theirs in DISCOVERY_NAMES.items()}
    missing = [DISCOVERY_NAMES[k] for k, v in endpoints.items() if not v]
    if missing:
        raise ProviderUnavailable(f"{url} names no {', '.join(missing)}")
    with _discovery_lock:
        _discovered[issuer] = (time.monotonic(), endpoints)
    return endpoints


def current_provider() -> Provider:
    """The provider as configured, endpoints not set read from its discovery document."""
    issuer = str(getattr(settings, "OIDC_ISSUER", "") or "")
    endpoints = {ours: str(getattr(settings, name, "") or "") for ours, name in ENDPOINTS.items()}
    if not all(endpoints.values()):
        if not issuer:
            raise ProviderUnavailable("neither the endpoints nor the issuer are configured")
        discovered = discover(issuer)
        endpoints = {k: v or discovered[k] for k, v in endpoints.items()}
    return Provider(
        issuer=issuer,
        client_id=settings.OIDC_RP_CLIENT_ID,
        client_secret=settings.OIDC_RP_CLIENT_SECRET,
        **endpoints,
    )


# The backend -------------------------------------------------------------------------------


class SignOnBackend(OIDCAuthenticationBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Read nothing of the provider here: Django builds every backend for each password
        # sign-in and each request of a signed-on session, and discovery may mean a fetch.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        """Nothing: only `callback` signs people on, through `sign_on`."""
        return None

    def get_user(self, user_id: Any) -> Any:
        # The library's get_user would keep a deactivated person's session alive; Django's
        # refuses them at their next request.
        return ModelBackend.get_user(self, user_id)

    def sign_on(self, request: HttpRequest, *, nonce: str | None, code_verifier: str | None) -> Any:
        """The person the provider's code stands for, or SignOnRefused; None if the exchange
        itself failed."""
        provider = current_provider()
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = provider.jwks_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        # Always the provider's published keys, never a shared secret (HS256).
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def verify_token(self, token: str, **kwargs: Any) -> Any:
        """The library checks the signature, expiry and nonce; the audience and issuer too."""
        payload = super().verify_token(token, **kwargs)
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.provider.client_id not in audiences:
            raise SuspiciousOperation("The ID token was issued to another client")
        if self.provider.issuer and not _same_issuer(str(payload.get("iss")), self.provider.issuer):
            raise SuspiciousOperation("The ID token comes from another issuer")
        return payload

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        """The person's claims; they must be about the person the ID token names (OpenID
        Connect Core 5.3.2), or a mixed-up or substituted answer could sign in someone else."""
        claims = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(claims, dict) or str(claims.get("sub")) != str(payload.get("sub")):
            raise SuspiciousOperation("The userinfo is about someone other than the ID token")
        return claims

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        email = str(claims.get("email") or "").strip()
        if "@" not in email:
            raise SignOnRefused(
                f"{provider_name()} did not tell Accord your email address, which Accord needs "
                "to know who you are. Sign in with your email address and password instead."
            )
        # Providers that check addresses say so; one that says it has not is refused, since
        # the address is all that ties the person to an account. Absent: the provider issues
        # the addresses itself (as an organisation's directory does).
        if "email_verified" in claims and claims["email_verified"] not in (True, "true"):
            raise SignOnRefused(
                f"{provider_name()} has not verified your email address {email}, so Accord "
                "cannot tell that it is yours. Verify it there, then try again."
            )
        return True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        email = str(claims.get("email") or "").strip().lower()
        return self.UserModel.objects.filter(email=email)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        """An existing person keeps everything Accord knows of them: organisation and role
        are Accord's to give, not the provider's."""
        if not user.is_active:
            raise SignOnRefused(
                f"The Accord account for {user.email} has been deactivated. Ask a platform "
                "administrator if you need it again."
            )
        return user

    def create_user(self, claims: dict[str, Any]) -> User:
        first, last = _names(claims)
        try:
            return services.add_person_from_sign_on(
                email=str(claims["email"]),
                first_name=first,
                last_name=last,
                provider=provider_name(),
            )
        except PermissionRefused as exc:
            raise SignOnRefused(exc.message) from None


def _names(claims: dict[str, Any]) -> tuple[str, str]:
    first = str(claims.get("given_name") or "").strip()
    last = str(claims.get("family_name") or "").strip()
    if not (first or last):
        first, _, last = str(claims.get("name") or "").strip().partition(" ")
    return first, last


# The views ---------------------------------------------------------------------------------


def only_when_enabled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """With single sign-on off, its URLs are not there at all."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not enabled():
            raise Http404("Single sign-on is not enabled")
        return view(request, *args, **kwargs)

    return wrapped


def refuse(request: HttpRequest, reason: str) -> HttpResponse:
    """Back to the sign-in page, which says why; nobody is left signed in."""
    following = request.session.get("oidc_login_next")
    if request.user.is_authenticated:
        auth.logout(request)
    request.session[REFUSAL_KEY] = reason
    url = reverse("login")
    if following:
        url += "?" + urlencode({"next": following})
    return HttpResponseRedirect(url)


def pop_refusal(request: HttpRequest) -> str | None:
    reason = request.session.pop(REFUSAL_KEY, None)
    return str(reason) if reason else None


class StartView(OIDCAuthenticationRequestView):
    """To the provider, with state, nonce and PKCE challenge kept in the session."""

    def __init__(self, **kwargs: Any) -> None:
        # The library reads the endpoint here; it may need discovery, which can fail, and
        # failing belongs in `get`, where it can answer.
        View.__init__(self, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            provider = current_provider()
        except ProviderUnavailable as exc:
            logger.warning("Single sign-on: the provider is unavailable: %s", exc)
            return refuse(request, UNAVAILABLE)
        self.OIDC_OP_AUTH_ENDPOINT = provider.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = provider.client_id
        response: HttpResponse = super().get(request)
        return response


start = only_when_enabled(StartView.as_view())


@only_when_enabled
def callback(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back: the code exchanged, the person decided."""
    state = request.GET.get("state", "")
    states: dict[str, Any] = request.session.get("oidc_states") or {}
    # The state is used once: dropped whatever happens next, so a replayed callback fails.
    pending = states.pop(state, None) if state else None
    request.session["oidc_states"] = states
    if request.GET.get("error") or pending is None or not request.GET.get("code"):
        # The person declined at the provider, or this is not the answer to a request this
        # browser made (a stale tab, a forged link).
        return refuse(request, DID_NOT_COMPLETE)
    try:
        user = SignOnBackend().sign_on(
            request, nonce=pending.get("nonce"), code_verifier=pending.get("code_verifier")
        )
    except SignOnRefused as refused:
        logger.warning("Single sign-on refused: %s", refused.message)
        return refuse(request, refused.message)
    except ProviderUnavailable as exc:
        logger.warning("Single sign-on: the provider is unavailable: %s", exc)
        return refuse(request, UNAVAILABLE)
    except (requests.RequestException, SuspiciousOperation, jwt.PyJWTError, KeyError) as exc:
        logger.warning("Single sign-on failed: %s", exc)
        return refuse(request, DID_NOT_COMPLETE)
    if user is None or not user.is_active:
        return refuse(request, DID_NOT_COMPLETE)
    following = request.session.pop("oidc_login_next", None)
    auth.login(request, user, backend=BACKEND)
    return HttpResponseRedirect(following or resolve_url(settings.LOGIN_REDIRECT_URL))
