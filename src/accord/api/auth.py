"""Who is calling the API: a personal token, a browser session, or nobody.

`auth=[bearer, session]`: django-ninja tries each in turn and takes the first answer.

- `Authorization: Bearer TOKEN` reads as the token's owner, with their visibility and roles. A
  token that is unknown, revoked, or whose owner is deactivated is refused with 401, never
  quietly read as anonymous: a script with a dead token must be told so.
- Any other `Authorization` header is refused with 401 too, for the same reason.
- Otherwise the browser session: the signed-in person, or `AnonymousUser`, who sees public
  records. The session never refuses, so anonymous callers keep reading what is public.

Each token may make `settings.API_RATE_PER_MINUTE` requests a minute (a fixed window counted in
the database, `core.RateWindow`, so that every worker process of the server shares one count);
past that, 429 with `Retry-After` saying how many seconds are left in the minute.
"""

from __future__ import annotations

import math
import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer, SessionAuth

from accord.core.models import RateWindow
from accord.core.security import RETRY_AFTER
from accord.orgs import services as people

DEFAULT_RATE_PER_MINUTE = 120
WINDOW_SECONDS = 60


def rate_per_minute() -> int:
    return int(getattr(settings, "API_RATE_PER_MINUTE", DEFAULT_RATE_PER_MINUTE))


class TokenRateExceeded(Throttled):
    """429: too many requests with one token in this minute."""


def count_request(token_id: int, now: float | None = None) -> None:
    """Count one request against the token's current minute; raise past the limit.

    A fixed window: simple, shared by every process through the database, and at worst lets
    twice the rate through across a window's edge.
    """
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    count = RateWindow.objects.hit(f"api-token:{token_id}", window * WINDOW_SECONDS)
    if count > rate_per_minute():
        wait = math.ceil((window + 1) * WINDOW_SECONDS - now)
        raise TokenRateExceeded(wait=max(wait, 1))


class TokenBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = people.token_in_use(token.strip())
        if found is None:
            raise AuthenticationError(message="Invalid or revoked API token.")
        try:
            count_request(found.pk)
        except TokenRateExceeded as exc:
            # Read by core.security's middleware, which writes the Retry-After header.
            setattr(request, RETRY_AFTER, exc.wait)
            raise
        # The routers read request.user, as for a page: the token's owner, with their roles.
        request.user = found.owner
        return found.owner


class BrowserSession(SessionAuth):
    """The signed-in person or AnonymousUser; CSRF checked as for Django's session auth.

    Its name is the OpenAPI document's name for the session cookie. Operations that anonymous
    callers may read say so there too (an empty security requirement); the rest answer an
    anonymous caller 401 (`require_signed_in`).
    """

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if request.headers.get("Authorization"):
            # Not a bearer token (the bearer answers those): refused rather than read as
            # anonymous.
            return None
        return request.user


bearer = TokenBearer()
session = BrowserSession()


def require_signed_in(request: HttpRequest) -> None:
    """For a read whose page asks to sign in: 401 for a caller with neither a session nor a
    token."""
    if not request.user.is_authenticated:
        raise AuthenticationError(message="Sign in, or send an API token, to read this.")
