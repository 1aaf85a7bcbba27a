from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .marking import marking_for
from .views import is_personal_link


def page_marking(request: HttpRequest) -> str:
    """A page's protective marking, unless its view says otherwise (a view's own
    ``protective_marking`` in its context wins over a context processor's).

    An anonymous visitor sees only public records and the site's own pages: those carry the
    public marking. A signed-in person's page may show anything they may see, and a survey
    reached by a personal link shows a round of a collaboration that need not be public: both
    carry the configured marking."""
    user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated and not is_personal_link(request):
        return marking_for([])
    return str(settings.PROTECTIVE_MARKING)


def accord(request: HttpRequest) -> dict[str, Any]:
    """What every page's layout needs: its protective marking."""
    return {"protective_marking": page_marking(request)}
