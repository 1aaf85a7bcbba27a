"""What django-axes counts a failed sign-in against: the address typed, in lower case, and the
address it came from.

Lockout counts the pair (account, address) and locks that pair: a guesser elsewhere cannot
lock a person out, and the person signs in as usual from their own computer.

- Email addresses are matched ignoring case, so `Owner@X.test` and `owner@x.test` must be one
  count; otherwise a guesser would get a fresh allowance for every way of writing the address
  (settings: AXES_USERNAME_CALLABLE).
- Behind a reverse proxy every request comes from the proxy, which would make every guesser
  share one address with everyone. With ACCORD_PROXY_COUNT proxies in front (settings:
  PROXY_COUNT), the client is the address that many places from the right of
  X-Forwarded-For: each proxy appends the address it was reached from, so entries further left
  are whatever the client chose to send (settings: AXES_CLIENT_IP_CALLABLE).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings

USERNAME_FIELD = "username"


def lockout_username(request: Any, credentials: Mapping[str, Any] | None = None) -> str:
    if credentials:
        typed = credentials.get(USERNAME_FIELD)
    else:
        data = getattr(request, "data", None) or getattr(request, "POST", {})
        typed = data.get(USERNAME_FIELD)
    return str(typed or "").strip().lower()


def client_address(request: Any) -> str | None:
    remote: str | None = request.META.get("REMOTE_ADDR")
    proxies = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) >= proxies:
        return forwarded[-proxies]
    return remote
