"""Every change to analyses and their files: each function checks permission, writes inside
one transaction and records the audit event.

An analysis's life: made (draft) by someone who may edit its collaboration, files uploaded
(each checked in full before anything is stored), queued to run, run (by `accord analytics
worker`, or on the page itself when no worker runs: `settings.ANALYTICS_WORKER`), then done or
failed. Each change of state is an audit event; the progress of a run in between is
bookkeeping written with a plain update, as a progress bar's is.

Who sees what:
- an analysis and its results: whoever may see its collaboration (the register's rule);
- its files (names, checksums, and the rows when kept): only people of the uploader's
  organisation and of the collaboration's partners, never beyond.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.db.models.fields.json import KT
from django.utils import timezone

from accord.core import audit
from accord.core.actors import user_or_none
from accord.core.problems import NotVisible, PermissionRefused, Problem, Problems
from accord.register import services as register

from .details import DEFAULT_CELL_M, analyse_in_detail
from .layouts import LAYOUTS
from .models import Analysis, AnalysisFile, State
from .overlap import DEFAULT_DISTANCE_M, DEFAULT_WINDOW_MINUTES, check_parameters
from .records import read_incidents

if TYPE_CHECKING:
    from accord.register.models import Collaboration

#: States in which files may be added and a run asked for.
OPEN_STATES = (State.DRAFT, State.FAILED)


# Permission and visibility ----------------------------------------------------------------


def can_edit(user: Any, collaboration: Collaboration) -> bool:
    """Whoever may edit the collaboration may make, fill and run its analyses."""
    return register.can_edit(user, collaboration)


def get_collaboration(user: Any, reference: str) -> Collaboration:
    return register.get_visible(user, reference)


def visible_analyses(user: Any) -> QuerySet[Analysis]:
    return Analysis.objects.filter(
        collaboration__in=register.visible_collaborations(user)
    ).select_related("collaboration")


def get_analysis(user: Any, pk: int) -> Analysis:
    """The analysis, or NotVisible (a 404) where it does not exist or its collaboration is
    hidden from this person: one query decides both."""
    found = visible_analyses(user).filter(pk=pk).first()
    if found is None:
        raise NotVisible("analysis")
    return found


def analyses_of(collaboration: Collaboration) -> list[Analysis]:
    """The collaboration's analyses, for its page (found visible already)."""
    return list(
        Analysis.objects.filter(collaboration=collaboration)
        # The panel shows one figure of the results: the rest stays in the database.
        .defer("result")
        .annotate(joint_incidents=KT("result__joint_incidents"))
        .order_by("-created_at", "-pk")
    )


def _partner_ids(collaboration: Collaboration) -> set[int]:
    return set(collaboration.partners.values_list("organisation_id", flat=True))


def files_visible_to(user: Any, analysis: Analysis) -> QuerySet[AnalysisFile]:
    """The analysis's files this person may know of: all of them for people of a partner
    organisation, and each file for its uploader's organisation; nothing for anyone else,
    platform administrators included (incident records go no further than the services that
    share them)."""
    # The rows stay in the database until asked for: a list says only whether they are held.
    files = (
        AnalysisFile.objects.filter(analysis=analysis)
        .select_related("organisation")
        .defer("data")
        .annotate(held=ExpressionWrapper(Q(data__isnull=False), output_field=BooleanField()))
    )
    organisation = getattr(user, "organisation_id", None)
    if not getattr(user, "is_authenticated", False) or not organisation:
        return files.none()
    if organisation in _partner_ids(analysis.collaboration):
        return files
    return files.filter(organisation_id=organisation)


def get_file(user: Any, analysis: Analysis, pk: int) -> AnalysisFile:
    found = files_visible_to(user, analysis).filter(pk=pk).first()
    if found is None:
        raise NotVisible("incident file")
    return found


# Snapshots for the audit log ----------------------------------------------------------------


def snapshot(analysis: Analysis) -> dict[str, Any]:
    result = analysis.result or {}
    return {
        "collaboration": analysis.collaboration.reference,
        "title": analysis.title,
        "data_note": analysis.data_note,
        "layout": analysis.layout,
        "window_minutes": analysis.window_minutes,
        "distance_m": analysis.distance_m,
        "cell_m": analysis.cell_m,
        "state": analysis.state,
        "run_by": analysis.run_by_label,
        "records": result.get("records"),
        "joint_incidents": result.get("joint_incidents"),
        "error": analysis.error[:500],
    }


def file_snapshot(item: AnalysisFile) -> dict[str, Any]:
    return {
        "analysis": item.analysis_id,
        "name": item.name,
        "rows": item.rows,
        "size": item.size,
        "sha256": item.sha256,
        "organisation": item.organisation.code if item.organisation else None,
        "keep": item.keep,
        "rows_held": item.data is not None,
    }


def _label(actor: Any) -> str:
    return str(getattr(actor, "email", "") or actor)[:254]


# Analyses -----------------------------------------------------------------------------------


@dataclass
class AnalysisData:
    title: str
    layout: str = "accord"
    window_minutes: float = DEFAULT_WINDOW_MINUTES
    distance_m: float = DEFAULT_DISTANCE_M
    cell_m: float = DEFAULT_CELL_M
    data_note: str = ""


def _check(data: AnalysisData) -> None:
    problems = []
    if not data.title.strip():
        problems.append(Problem("give the analysis a title", field="title"))
    if data.layout not in LAYOUTS:
        problems.append(Problem(f"use one of {', '.join(LAYOUTS)}", field="layout"))
    try:
        check_parameters(data.window_minutes, data.distance_m)
    except ValueError as exc:
        problems.append(Problem(str(exc), field="window_minutes"))
    if not data.cell_m > 0:
        problems.append(Problem("the hotspot cells must be more than 0 metres", field="cell_m"))
    if problems:
        raise Problems(problems)


def create_analysis(actor: Any, collaboration: Collaboration, data: AnalysisData) -> Analysis:
    if not can_edit(actor, collaboration):
        raise PermissionRefused("You may not add analyses to this collaboration.")
    _check(data)
    with transaction.atomic():
        analysis = Analysis.objects.create(
            collaboration=collaboration,
            title=data.title.strip()[:200],
            data_note=data.data_note.strip()[:300],
            layout=data.layout,
            window_minutes=float(data.window_minutes),
            distance_m=float(data.distance_m),
            cell_m=float(data.cell_m),
            created_by=user_or_none(actor),
        )
        audit.record(actor=actor, action="analysis.create", obj=analysis, after=snapshot(analysis))
    return analysis


_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


def _file_name(name: str) -> str:
    """The upload's own name, without any folder, as problems name it and the page lists it."""
    base = Path(str(name).replace("\\", "/")).name.strip()
    return (_UNSAFE.sub("_", base) or "upload.csv")[:200]


def add_file(
    actor: Any,
    analysis: Analysis,
    name: str,
    data: bytes,
    *,
    keep: bool = False,
    organisation: Any = None,
) -> AnalysisFile:
    """Check the whole file in the analysis's layout (every problem named by file, line and
    column; nothing stored when there is one) and keep its name, row count, checksum and,
    until the analysis has run, its rows. The file is its uploader's organisation's (or
    `organisation`, for the command line)."""
    if not can_edit(actor, analysis.collaboration):
        raise PermissionRefused("You may not add files to this analysis.")
    if analysis.state not in OPEN_STATES:
        raise PermissionRefused(
            "Files can be added only before an analysis runs: make a new analysis for others."
        )
    file_name = _file_name(name)
    with tempfile.TemporaryDirectory(prefix="accord-analysis-") as folder:
        path = Path(folder) / file_name
        path.write_bytes(data)
        try:
            incidents = read_incidents([path], analysis.layout, details=False)
        except Problems as exc:
            # Named as the person named it, not by the folder it was checked in.
            raise Problems(
                [Problem(str(p).replace(str(path), file_name)) for p in exc.problems]
            ) from exc
    owner = organisation if organisation is not None else getattr(actor, "organisation", None)
    with transaction.atomic():
        item = AnalysisFile.objects.create(
            analysis=analysis,
            name=file_name,
            rows=incidents.records,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            organisation=owner,
            uploaded_by=user_or_none(actor),
            keep=keep,
            data=data,
        )
        audit.record(
            actor=actor,
            action="analysis_file.upload",
            obj=item,
            object_label=f"{analysis.title}: {file_name}",
            after=file_snapshot(item),
        )
    return item


def remove_file(actor: Any, item: AnalysisFile) -> None:
    """Take a file out of an analysis that has not run."""
    analysis = item.analysis
    if not can_edit(actor, analysis.collaboration):
        raise PermissionRefused("You may not remove files from this analysis.")
    if analysis.state not in OPEN_STATES:
        raise PermissionRefused("The files of an analysis that has run stay with its results.")
    with transaction.atomic():
        before, pk = file_snapshot(item), item.pk
        item.delete()
        audit.record(
            actor=actor,
            action="analysis_file.remove",
            object_type=AnalysisFile._meta.label_lower,
            object_id=str(pk),
            object_label=f"{analysis.title}: {item.name}",
            before=before,
        )


def _transition(
    actor: Any, analysis: Analysis, action: str, change: Callable[[Analysis], None]
) -> Analysis:
    with transaction.atomic():
        current = Analysis.objects.select_for_update(of=("self",)).select_related("collaboration")
        found = current.get(pk=analysis.pk)
        before = snapshot(found)
        change(found)
        found.save()
        audit.record(actor=actor, action=action, obj=found, before=before, after=snapshot(found))
    return found


def queue_run(actor: Any, analysis: Analysis) -> Analysis:
    """Ask for the analysis to run: `accord analytics worker` (or the page) runs it."""
    if not can_edit(actor, analysis.collaboration):
        raise PermissionRefused("You may not run this analysis.")
    if analysis.state not in OPEN_STATES:
        raise PermissionRefused("This analysis is running or has run already.")
    if not AnalysisFile.objects.filter(analysis=analysis, data__isnull=False).exists():
        raise Problems([Problem("upload at least one file of incident records first")])

    def queue(found: Analysis) -> None:
        found.state = State.QUEUED
        found.progress, found.progress_text, found.error = 0, "Waiting to run", ""
        found.run_by = user_or_none(actor)
        found.run_by_label = _label(actor)
        found.queued_at = timezone.now()

    return _transition(actor, analysis, "analysis.queue", queue)


# Running -------------------------------------------------------------------------------------


def _progress(analysis: Analysis, percent: int, text: str) -> None:
    # Bookkeeping of a run, as a progress bar's: no change of record, no audit event.
    Analysis.objects.filter(pk=analysis.pk).update(progress=percent, progress_text=text[:200])


def _claim(analysis_id: int) -> Analysis | None:
    """Take a queued analysis to run it (once: two workers cannot both take it)."""
    with transaction.atomic():
        found = (
            Analysis.objects.select_for_update(of=("self",))
            .select_related("collaboration", "run_by")
            .filter(pk=analysis_id, state=State.QUEUED)
            .first()
        )
        if found is None:
            return None
        before = snapshot(found)
        found.state = State.RUNNING
        found.started_at = timezone.now()
        found.progress, found.progress_text = 1, "Reading the files"
        found.save()
        audit.record(
            actor=_runner(found),
            action="analysis.start",
            obj=found,
            before=before,
            after=snapshot(found),
        )
    return found


def _runner(analysis: Analysis) -> Any:
    """Whom a run's events name: the person who asked for it, or the label they ran as."""
    return analysis.run_by or analysis.run_by_label or "system"


def next_queued() -> int | None:
    return (
        Analysis.objects.filter(state=State.QUEUED)
        .order_by("queued_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )


def run(analysis_id: int) -> Analysis | None:
    """Run one queued analysis to the end: done (the results kept, the files' rows discarded
    unless kept) or failed (the error kept, the rows too, so that it can run again). None
    when it is not queued (another worker took it)."""
    analysis = _claim(analysis_id)
    if analysis is None:
        return None
    try:
        detailed = _compute(analysis)
    except Exception as exc:  # any failure is the analysis's to show, not the worker's end
        reason = "; ".join(exc.problems) if isinstance(exc, Problems) else str(exc)
        return _finish_failed(analysis, reason or type(exc).__name__)
    return _finish_done(analysis, detailed.to_json_dict())


def _compute(analysis: Analysis) -> Any:
    files = list(AnalysisFile.objects.filter(analysis=analysis, data__isnull=False).order_by("pk"))
    if not files:
        raise Problems([Problem("the analysis has no files with their rows to read")])
    with tempfile.TemporaryDirectory(prefix="accord-analysis-") as folder:
        paths = []
        for index, item in enumerate(files):
            path = Path(folder) / f"{index:04d}-{item.name}"
            path.write_bytes(bytes(item.data or b""))
            paths.append(path)
        _progress(analysis, 10, f"Reading and checking {len(files)} file(s)")
        incidents = read_incidents(paths, analysis.layout, details=True)
    _progress(analysis, 40, f"Linking {incidents.records:,} records")
    detailed = analyse_in_detail(
        incidents,
        window_minutes=analysis.window_minutes,
        distance_m=analysis.distance_m,
        threshold=int(settings.DISCLOSURE_THRESHOLD),
        cell_m=analysis.cell_m,
    )
    _progress(analysis, 90, "Keeping the results")
    return detailed


def _finish_done(analysis: Analysis, result: dict[str, Any]) -> Analysis:
    actor = _runner(analysis)
    with transaction.atomic():
        found = (
            Analysis.objects.select_for_update(of=("self",))
            .select_related("collaboration")
            .get(pk=analysis.pk)
        )
        before = snapshot(found)
        found.state = State.DONE
        found.result = result
        found.progress, found.progress_text = 100, "Done"
        found.finished_at = timezone.now()
        found.save()
        audit.record(
            actor=actor, action="analysis.finish", obj=found, before=before, after=snapshot(found)
        )
        for item in AnalysisFile.objects.filter(analysis=found, keep=False, data__isnull=False):
            before_file = file_snapshot(item)
            item.data = None
            item.discarded_at = timezone.now()
            item.save(update_fields=["data", "discarded_at"])
            audit.record(
                actor=actor,
                action="analysis_file.discard",
                obj=item,
                object_label=f"{found.title}: {item.name}",
                before=before_file,
                after=file_snapshot(item),
            )
    return found


def _finish_failed(analysis: Analysis, reason: str) -> Analysis:
    def fail(found: Analysis) -> None:
        found.state = State.FAILED
        found.error = reason[:5000]
        found.progress_text = "Failed"
        found.finished_at = timezone.now()

    return _transition(_runner(analysis), analysis, "analysis.fail", fail)


#: A run that has been going this long has stopped (its process ended): see `fail_stale`.
STALE_AFTER = dt.timedelta(hours=6)


def fail_stale(now: dt.datetime | None = None) -> list[Analysis]:
    """Mark failed the runs that started more than `STALE_AFTER` ago and never finished (the
    process that ran them ended), so that they can be run again; the worker does this when
    it starts."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    stale = Analysis.objects.filter(state=State.RUNNING, started_at__lt=cutoff)
    return [
        _finish_failed(
            found, "the run stopped without finishing (the process running it ended): run it again"
        )
        for found in stale.select_related("collaboration", "run_by")
    ]


def run_on_the_page() -> bool:
    """Whether a page that queues a run runs it too (no worker: the default), or leaves it to
    `accord analytics worker` (ACCORD_ANALYTICS_WORKER=1)."""
    return not bool(getattr(settings, "ANALYTICS_WORKER", False))


def run_all_queued(limit: int | None = None) -> list[Analysis]:
    """Run queued analyses, oldest first, until none is left (or `limit` have run)."""
    done: list[Analysis] = []
    while limit is None or len(done) < limit:
        pk = next_queued()
        if pk is None:
            break
        finished = run(pk)
        if finished is not None:
            done.append(finished)
    return done
