"""Exports (CSV, XLSX, JSON; formula injection neutralised), the import (all or nothing, each
row's problems), and the command line: export, import, and the reminders of `notify due`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core import mail
from tests.support.lessons_factories import make_lesson

from accord.cli import main as accord
from accord.lessons import exports, importers, services
from accord.lessons.models import Lesson

pytestmark = pytest.mark.django_db

HEADER = "kind,title,source,occurred_on,what_happened,organisations,principles,audience\n"


def test_exports_carry_published_lessons_in_each_format(owner: Any, moderator: Any) -> None:
    make_lesson(owner, state="published", moderator=moderator, title="=HYPERLINK(1)")
    make_lesson(owner)  # a draft: not exported
    visible = services.visible_lessons(owner)
    rows = list(csv.DictReader(io.StringIO(exports.render(visible, "csv").decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["title"] == "'=HYPERLINK(1)"  # neutralised
    assert rows[0]["organisations"] == "E31000025; RX9"
    assert "[redacted]" in rows[0]["what_happened"]
    document = json.loads(exports.render(visible, "json"))
    assert document["count"] == 1 and document["records"][0]["title"] == "=HYPERLINK(1)"
    book = openpyxl.load_workbook(io.BytesIO(exports.render(visible, "xlsx")), read_only=True)
    assert any(
        "'=HYPERLINK(1)" in str(c) for s in book for r in s.iter_rows(values_only=True) for c in r
    )


def test_the_command_line_exports_public_lessons_by_default(
    owner: Any, moderator: Any, platform_admin: Any, capsys: Any
) -> None:
    make_lesson(owner, state="published", moderator=moderator, audience="signed_in")
    public = make_lesson(owner, state="published", moderator=moderator, audience="public")
    services.review(platform_admin, public, decision="publish")
    assert accord(["export", "lessons", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1
    assert accord(["export", "lessons", "--format", "json", "--as", owner.email]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 2


def test_an_import_is_all_or_nothing_with_every_rows_problems(owner: Any, tmp_path: Path) -> None:
    good = "lesson_identified,Radio,exercise,2025-01-02,It failed,RX9,communicate,signed_in\n"
    bad = "anecdote,,exercise,02/01/2025,,NOPE,co-operate,signed_in\n"
    with pytest.raises(services.Problems) as raised:
        importers.import_file(owner, (HEADER + good + bad).encode(), "lessons.csv")
    fields = {(p.row, p.field) for p in raised.value.problems}
    assert {
        (3, "kind"),
        (3, "title"),
        (3, "occurred_on"),
        (3, "organisations"),
        (3, "principles"),
        (3, "what_happened"),
    } <= fields
    assert not Lesson.objects.exists()
    made = importers.import_file(owner, (HEADER + good + good).encode(), "lessons.csv")
    assert [m.state for m in made] == ["draft", "draft"]
    path = tmp_path / "more.csv"
    path.write_text(HEADER + good)
    assert accord(["import", "lessons", str(path), "--as", owner.email]) == 0
    assert Lesson.objects.count() == 3
    path.write_text(HEADER + bad)
    assert accord(["import", "lessons", str(path), "--as", owner.email]) == 2


def test_notify_due_sends_the_lessons_reminders_too(
    owner: Any, moderator: Any, partner_user: Any, capsys: Any
) -> None:
    lesson = make_lesson(owner, state="published", moderator=moderator)
    services.add_action(
        owner, lesson, title="Overdue", owner_email=partner_user.email, due=dt.date(2025, 1, 1)
    )
    mail.outbox.clear()
    assert accord(["notify", "due", "--dry-run", "--today", "2026-01-01"]) == 0
    assert "1 overdue lesson action" in capsys.readouterr().out and not mail.outbox
    assert accord(["notify", "due", "--today", "2026-01-01"]) == 0
    assert "Sent 1 overdue lesson action reminder" in capsys.readouterr().out
    assert [m.to for m in mail.outbox if "Overdue" in m.subject] == [[partner_user.email]]
