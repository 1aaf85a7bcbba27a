"""`accord bench --lessons`: the lessons' pages at national scale.

After the register's pages (`accord.bench.pages`, whose throwaway database of organisations,
people and collaborations this reuses), 100,000 lessons are built with bulk writes (a
benchmark fixture, not product changes, so no audit events): published for the most part,
across the four audiences, each touching a principle and a factor, one in four of a
collaboration, with their redacted text put into the full-text index (FTS5 or tsvector).
Then, as a signed-in contributor, in interleaved rounds with the minimal page: the list plain,
searched by a word, searched and filtered, filtered by a principle, deep in its pages, and
one lesson's page. The target: every page's p95 within 3 times the minimal page's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import time
from typing import Any

from . import pages as bench_pages

TARGET_RATIO = 3.0
LESSONS = 100_000
CHUNK = 5_000

WORDS = [
    "radio",
    "talkgroup",
    "handover",
    "control",
    "room",
    "crews",
    "paramedics",
    "triage",
    "casualties",
    "rendezvous",
    "cordon",
    "hazard",
    "command",
    "briefing",
    "shared",
    "awareness",
    "risk",
    "assessment",
    "dispatch",
    "response",
    "station",
    "vehicle",
    "equipment",
    "training",
    "exercise",
    "debrief",
    "casualty",
    "transfer",
    "call",
    "handling",
    "interoperability",
    "airwave",
    "logging",
    "mapping",
    "incident",
    "location",
    "access",
]


def build(console: Any, seed: int, total: int = LESSONS) -> dict[str, int]:
    from django.db import connection, transaction

    from accord.lessons import search, themes
    from accord.lessons.choices import Audience, Evidence, Kind, Source, State
    from accord.lessons.models import Lesson
    from accord.orgs.models import User
    from accord.register.models import Collaboration

    from .pages import _progress

    rng = random.Random(seed)
    people = list(
        User.objects.filter(organisation__isnull=False).values_list("pk", "organisation_id")
    )
    collaborations = list(Collaboration.objects.values_list("pk", flat=True)[:2000])
    principles = [p for p, _ in themes.principles()]
    factors = [f for f, _ in themes.factors()]
    audiences = [Audience.SIGNED_IN, Audience.PUBLIC, Audience.PARTNERS, Audience.ORGANISATION]
    start = dt.date(2015, 1, 1)
    made = {"lessons": 0, "published": 0}

    def text(n: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."

    with _progress(console) as progress:
        task = progress.add_task("Lessons", total=total)
        for offset in range(0, total, CHUNK):
            rows = []
            for _ in range(min(CHUNK, total - offset)):
                submitter, organisation = rng.choice(people)
                state = State.PUBLISHED if rng.random() < 0.9 else State.DRAFT
                title, what, why, recommendation = text(6), text(60), text(30), text(20)
                published = state == State.PUBLISHED
                rows.append(
                    Lesson(
                        kind=rng.choice(Kind.values),
                        title=title,
                        source=rng.choice(Source.values),
                        occurred_on=start + dt.timedelta(days=rng.randrange(3650)),
                        collaboration_id=rng.choice(collaborations)
                        if collaborations and rng.random() < 0.25
                        else None,
                        principles=[rng.choice(principles)],
                        factors=[rng.choice(factors)],
                        what_happened=what,
                        why=why,
                        recommendation=recommendation,
                        evidence=rng.choice(Evidence.values),
                        audience=rng.choice(audiences),
                        state=state,
                        submitter_id=submitter,
                        organisation_id=organisation,
                        published_title=title if published else "",
                        published_what_happened=what if published else "",
                        published_why=why if published else "",
                        published_recommendation=recommendation if published else "",
                    )
                )
            with transaction.atomic():
                created = Lesson.objects.bulk_create(rows, batch_size=1000)
                through = Lesson.organisations.through
                through.objects.bulk_create(
                    [
                        through(lesson_id=lesson.pk, organisation_id=lesson.organisation_id)
                        for lesson in created
                    ],
                    batch_size=2000,
                )
                indexed = [lesson for lesson in created if lesson.state == State.PUBLISHED]
                with connection.cursor() as cursor:
                    values = [
                        (
                            lesson.pk,
                            lesson.published_title,
                            "\n\n".join(
                                (
                                    lesson.published_what_happened,
                                    lesson.published_why,
                                    lesson.published_recommendation,
                                )
                            ),
                        )
                        for lesson in indexed
                    ]
                    if connection.vendor == "postgresql":
                        cursor.executemany(
                            f"INSERT INTO {search.POSTGRES_TABLE} (lesson_id, title, body, "  # noqa: S608
                            "document) VALUES (%s, %s, %s, setweight(to_tsvector('english', "
                            "%s), 'A') || setweight(to_tsvector('english', %s), 'B'))",
                            [(pk, t, b, t, b) for pk, t, b in values],
                        )
                    else:
                        cursor.executemany(
                            f"INSERT INTO {search.SQLITE_TABLE} (rowid, title, body) "  # noqa: S608
                            "VALUES (%s, %s, %s)",
                            values,
                        )
            made["lessons"] += len(created)
            made["published"] += len(indexed)
            progress.advance(task, len(created))
    return made


def measure(args: argparse.Namespace, console: Any) -> tuple[list[Any], dict[str, Any]]:
    from django.test import Client

    from accord.lessons.models import Lesson
    from accord.orgs.models import User

    from .pages import MINIMAL, MINIMAL_URL, Page, _measure_all, _progress

    user = User.objects.get(email="bench-user-00001@bench.accord.test")
    client = Client()
    client.force_login(user)
    visible = Lesson.objects.visible_to(user)
    one = visible.filter(state="published").order_by("pk").first()
    assert one is not None
    counts = {"visible": visible.count()}
    n = args.requests
    pages = [
        Page(MINIMAL, MINIMAL_URL, client, n, "minimal"),
        Page("Lessons", "/lessons/", client, n),
        Page("Lessons (anonymous)", "/lessons/", Client(), n),
        Page("Search: one word", "/lessons/?q=talkgroup", client, n),
        Page("Search: two words", "/lessons/?q=radio+handover", client, n),
        Page(
            "Search and filters",
            "/lessons/?q=triage&kind=notable_practice&principle=communicate",
            client,
            n,
        ),
        Page("Filtered by principle", "/lessons/?principle=co-locate", client, n),
        Page("Lessons, page 200", "/lessons/?page=200", client, n),
        Page("One lesson", f"/lessons/{one.pk}/", client, n),
        # Listed, not held to the target: with nothing kept, as the first reader after a
        # change finds them (the search ranks every match afresh).
        Page("Lessons, first after a change", "/lessons/", client, min(n, 10), "first"),
        Page(
            "Search: one word, first after a change",
            "/lessons/?q=talkgroup",
            client,
            min(n, 10),
            "first",
        ),
    ]
    with _progress(console) as progress:
        results = _measure_all(pages, progress)
    return results, counts


HEADERS = bench_pages.headers(TARGET_RATIO)


def rows(results: list[Any]) -> list[list[str]]:
    return bench_pages.table_rows(
        results,
        lambda m, ratio: (
            bench_pages.VERDICTS[m.kind]
            if m.kind in ("minimal", "first")
            else ("yes" if ratio <= TARGET_RATIO else "NO")
        ),
    )


def markdown(results: list[Any], sizes: dict[str, int], counts: dict[str, Any]) -> str:
    lines = [
        f"Data set: {sizes['lessons']:,} lessons ({sizes['published']:,} published and "
        f"indexed); the contributor may see {counts['visible']:,}.",
        "",
        *bench_pages.markdown_table(HEADERS, rows(results)),
    ]
    return "\n".join(lines) + "\n"


def main(args: argparse.Namespace, console: Any) -> int:
    """Build the lessons in the bench's database and measure their pages; 1 if any page is
    outside the target."""
    console.rule("Lessons at national scale")
    started = time.perf_counter()
    sizes = build(console, args.seed, getattr(args, "lessons_count", LESSONS))
    console.print(
        f"Built {sizes['lessons']:,} lessons ({sizes['published']:,} published) in "
        f"{time.perf_counter() - started:.1f} s."
    )
    results, counts = measure(args, console)
    return bench_pages.report(
        console,
        args.output,
        title="Lesson pages: server time per request (signed-in contributor)",
        target=TARGET_RATIO,
        rows=rows(results),
        markdown=markdown(results, sizes, counts),
        pages="lesson page",
    )
