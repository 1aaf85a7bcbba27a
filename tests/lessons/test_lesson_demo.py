"""The demo lessons: the briefing's examples published, lessons learned, the collar number
redacted, and communication's recurrence raised and written up as an action note."""

from __future__ import annotations

from typing import Any

import pytest

from accord.core.actors import SystemActor
from accord.lessons.demo import load_demo
from accord.lessons.models import ActionNote, Lesson
from accord.lessons.presentation import learned
from accord.register.demo import load_demo_collaborations

pytestmark = pytest.mark.django_db


def test_the_demo_lessons(db: Any) -> None:
    actor = SystemActor("demo loader")
    load_demo_collaborations(actor)
    made = load_demo(actor)
    lessons = list(Lesson.objects.order_by("occurred_on"))
    assert [lesson.collaboration.reference for lesson in lessons] == ["JPSC", "MAIT", "JACP"]
    assert {lesson.state for lesson in lessons} == {"published"}
    jpsc = lessons[0]
    assert "PC 4127" in jpsc.what_happened and "PC 4127" not in jpsc.published_what_happened
    assert [learned(list(lesson.actions.all())) for lesson in lessons] == [True, False, True]
    (note,) = ActionNote.objects.all()
    assert note.theme == "communicate" and note.state == "issued"
    assert note.lessons.count() == 3
    assert made.lines == ["Lessons: 3 demo lessons published; 1 action note"]
    assert load_demo(actor).lines == ["Lessons: 0 demo lessons published; 1 action note"]
    assert Lesson.objects.count() == 3
