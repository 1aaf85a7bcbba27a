from typing import Any

from django.conf import settings
from django.http import HttpRequest


def accord(request: HttpRequest) -> dict[str, Any]:
    return {"protective_marking": settings.PROTECTIVE_MARKING}
