"""The protective marking a page or an export carries, chosen by what it holds.

What holds any record that is not public carries the configured marking
(``settings.PROTECTIVE_MARKING``, OFFICIAL-SENSITIVE by default); what holds only public records,
or none, carries the public marking (``settings.PUBLIC_MARKING``, OFFICIAL by default). A public
record is published to anyone: marking its export OFFICIAL-SENSITIVE would say it is not.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from .choices import Visibility


def choose_marking(visibilities: Iterable[str | None], *, restricted: str, public: str) -> str:
    """`restricted` if any of the records' visibilities is not public, else `public`. Anything
    other than exactly "public" (a blank or unknown value too) counts as not public."""
    return restricted if any(v != Visibility.PUBLIC for v in visibilities) else public


def marking_for(visibilities: Iterable[str | None]) -> str:
    """The marking of a page or export holding records of these visibilities: the configured
    marking if any is not public; the public marking if all are, or there are none. Takes any
    iterable, such as ``queryset.values_list("visibility", flat=True).distinct()``."""
    return choose_marking(
        visibilities, restricted=settings.PROTECTIVE_MARKING, public=settings.PUBLIC_MARKING
    )
