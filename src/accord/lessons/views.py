"""Thin views: find what the person may see (a 404 otherwise), check they may change it (the
refusal page otherwise), validate, call one service, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse


def collaboration_panel(request: HttpRequest, collaboration: Any) -> dict[str, Any] | None:
    return None


def _todo(request: HttpRequest, pk: int = 0) -> HttpResponse:
    return HttpResponse("")


lesson_list = lesson_create = export = my_actions = note_list = note_detail = _todo
lesson_detail = lesson_edit = lesson_submit = lesson_withdraw = lesson_review = _todo
action_create = action_update = _todo
