"""Paging for every API list: `limit` and `offset` bounded, anything out of range a 400.

Unbounded, an offset past 2^63 - 1 reached the database and came back a 500, and a caller could
ask for the whole register in one page.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination

#: The most rows one page of the API returns.
MAX_LIMIT = 500
#: The largest offset a database takes (a signed 64-bit integer).
MAX_OFFSET = 2**63 - 1


class BoundedPagination(LimitOffsetPagination):
    class Input(Schema):
        # The bounds are documented, not enforced by the parameter's type: a value outside
        # them is answered 400 with the reason, below.
        limit: int = Field(
            100,
            description=f"rows on the page, 1 to {MAX_LIMIT}",
            json_schema_extra={"minimum": 1, "maximum": MAX_LIMIT},
        )
        offset: int = Field(
            0,
            description="rows to skip, from 0",
            json_schema_extra={"minimum": 0, "maximum": MAX_OFFSET},
        )

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        if not 1 <= pagination.limit <= MAX_LIMIT:
            raise HttpError(400, f"limit must be between 1 and {MAX_LIMIT}")
        if not 0 <= pagination.offset <= MAX_OFFSET:
            raise HttpError(400, f"offset must be between 0 and {MAX_OFFSET}")
        return super().paginate_queryset(queryset, pagination, request, **params)
