"""What the API's errors look like, and the responses each kind of read declares.

Every error body is `{"detail": ...}`: a sentence for 400, 401, 403, 404 and 429 (as
django-ninja's own handlers and `api.urls`'s write them), a list for 422 (ninja's checks of the
parameters, or the kernel's `Problems`). Each operation declares exactly the statuses it can
answer, so that the OpenAPI document describes every response, errors included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import ConfigDict


class ErrorOut(Schema):
    """An error, said in one sentence."""

    detail: str


class ParameterError(Schema):
    """One parameter django-ninja refused: where (`loc`, such as `["query", "limit"]`), what
    kind of error (`type`) and why (`msg`)."""

    model_config = ConfigDict(extra="allow")

    type: str
    loc: list[str | int]
    msg: str
    ctx: dict[str, Any] | None = None


class ProblemOut(Schema):
    """One problem found by the domain's own checks (the kernel's `Problem`)."""

    model_config = ConfigDict(extra="allow")

    row: int | None
    field: str | None
    reason: str
    message: str


class ValidationErrorOut(Schema):
    """422: every parameter or problem that was refused."""

    detail: list[ParameterError | ProblemOut]


class SuppressedOut(Schema):
    """A figure withheld by disclosure control: a group of fewer than k responses, or one
    withheld so that such a group's cannot be worked out by subtraction (both alike)."""

    suppressed: Literal[True]


#: Statuses any operation may answer: a refused token (401) and a token past its rate (429).
ALWAYS = (401, 429)


def responses(ok: Any, *errors: int, checked: bool = True) -> dict[int, Any]:
    """`response=` for an operation: 200 with `ok`, 401 and 429 always, 422 where it takes
    parameters (`checked`), and the other error statuses it names (400, 403, 404)."""
    declared: dict[int, Any] = {200: ok}
    for status in sorted({*ALWAYS, *errors}):
        declared[status] = ErrorOut
    if checked:
        declared[422] = ValidationErrorOut
    return declared


#: Added to an operation that anonymous callers may read too (public records): OpenAPI's empty
#: security requirement says a request without credentials is answered.
ANONYMOUS_TOO: dict[str, Any] = {"security": [{}]}


#: Free text in a parameter: no NUL character, which no database text can hold (PostgreSQL
#: refuses it outright); the pages' forms refuse it too.
TEXT_PATTERN = r"^[^\x00]*$"
#: A record's reference in a path: some text without NUL (any other reference is simply absent).
REFERENCE_PATTERN = r"^[^\x00]+$"
#: The longest search text a parameter takes.
TEXT_MAX = 200


class AuditEntryOut(Schema):
    """One entry of a record's history, as its page lists them: when, what, and by whom."""

    at: dt.datetime
    action: str
    actor: str = Field(..., alias="actor_label")
