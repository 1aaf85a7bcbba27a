"""Reports: a collaboration's board pack and the national report, as printable pages and PDFs.

A board pack gathers each domain's part through that app's own services and queries (the
register's record and risk flags, the assessments' latest round under their disclosure control,
the KPIs' control charts and icons, the appraisals' headline figures and charts, the lessons and
open actions this person may see, the duty-to-collaborate reviews), so that what it shows is
what each app's own pages show that person. The national report gathers the national picture's
map and consistency measures and the findings, as insights' own pages do.

Charts come from the same Vega-Lite specs as the pages: in a page vega-embed draws them; in a
PDF vl-convert draws them to SVG on the server and WeasyPrint lays out the HTML (no browser).

The national report is background work: the page asks for one (a ReportRun), a thread starts
once that request's transaction commits and writes the PDF, noting its progress on the run for
the page (which refreshes itself) to show. A thread rather than a worker process: the report
takes seconds, not the minutes an analysis can, and needs neither a queue nor a second process
to start beside the server; a run whose process ended before it finished is seen as stopped
(`STALE_AFTER`) and can be asked for again.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import close_old_connections, connections, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accord.appraisal import presentation as appraisal_presentation
from accord.appraisal import services as appraisal
from accord.assessments import results as assessment_results
from accord.assessments import services as assessments
from accord.core import audit
from accord.core.charts import Chart
from accord.core.marking import marking_for
from accord.core.problems import NotVisible, PermissionRefused
from accord.kpis import presentation as kpi_presentation
from accord.kpis import queries as kpi_queries
from accord.lessons import queries as lesson_queries
from accord.lessons import services as lessons
from accord.register import services as register

from . import presentation, queries
from .models import ReportRun, ReportState

#: Progress: (percent done, what is being done), for the page and the command line.
Progress = Callable[[int, str], None]

STYLESHEET = Path(__file__).parent / "static" / "insights" / "report.css"
#: How wide a chart is drawn in a PDF, in CSS pixels (an A4 page's text is about 680 wide).
PDF_CHART_WIDTH = 640
#: The Vega-Lite version vl-convert draws with: the pages' (core.charts' schema is v6).
VEGA_LITE_VERSION = "6.4"
#: How long a chart's drawing is kept (it is keyed by its spec, so it is never out of date).
SVG_SECONDS = 24 * 3600
#: How many national reports a person's page lists and the database keeps for them.
KEPT_RUNS = 5
#: A run that has not moved on for this long died with its process: it may be asked again.
STALE_AFTER = dt.timedelta(minutes=5)


def _no_progress(percent: int, text: str) -> None:
    """Progress nobody watches."""


def accord_version() -> str:
    try:
        return metadata.version("accord")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


# Charts on the server ---------------------------------------------------------------------


def _fixed_width(value: Any, width: int) -> Any:
    """The spec with the page's widths ("container", and expressions of the container's size)
    made a fixed width: a PDF has no container to measure."""
    if isinstance(value, dict):
        if set(value) == {"expr"} and "containerSize" in str(value["expr"]):
            return width
        return {
            k: (width if k == "width" and v == "container" else _fixed_width(v, width))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_fixed_width(v, width) for v in value]
    return value


def chart_svg(spec: dict[str, Any], width: int = PDF_CHART_WIDTH) -> str:
    """A page's Vega-Lite spec drawn to SVG by vl-convert, as the page would draw it; kept by
    the spec's own digest (the same spec is the same drawing), so that a pack asked for again
    draws only what changed."""
    key = (
        "insights:svg:"
        + hashlib.sha256(
            json.dumps([spec, width, VEGA_LITE_VERSION], sort_keys=True, default=str).encode()
        ).hexdigest()
    )
    found = cache.get(key)
    if found is None:
        found = _draw(spec, width)
        cache.set(key, found, SVG_SECONDS)
    return str(found)


def _draw(spec: dict[str, Any], width: int) -> str:
    import vl_convert

    drawn: str = vl_convert.vegalite_to_svg(
        _fixed_width(copy.deepcopy(spec), width),
        vl_version=VEGA_LITE_VERSION,
        # Every chart's data is in its spec: the server asks no address for more.
        allowed_base_urls=[],
    )
    return drawn


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@dataclass
class Drawn:
    """A chart as a report shows it: the page's Chart, and in a PDF its drawing."""

    chart: Chart
    image: str = ""


def drawn(charts: Iterable[Chart], *, pdf: bool) -> list[Drawn]:
    return [Drawn(c, svg_data_uri(chart_svg(c.spec)) if pdf else "") for c in charts]


# PDF ----------------------------------------------------------------------------------------


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def html_to_pdf(html: str, *, marking: str, stamp: str) -> bytes:
    """WeasyPrint: the report's HTML laid out on A4 pages with the report's stylesheet; every
    page's top and foot carry the marking, its foot the page number and the report's stamp
    (what it is, when it was drawn and which version)."""
    import weasyprint

    pages = (
        "@page { "
        f"@top-center {{ content: {_css_string(marking)}; }} "
        f"@bottom-center {{ content: {_css_string(marking)}; }} "
        f"@bottom-left {{ content: {_css_string(stamp)}; }} "
        '@bottom-right { content: "Page " counter(page) " of " counter(pages); } }'
    )
    from weasyprint.urls import URLFetcher

    # Nothing is fetched but the charts' drawings inlined as data: a report's text is the
    # users', and must not make the server ask any address.
    fetcher = URLFetcher(allowed_protocols={"data"})
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    sheets = [
        weasyprint.CSS(string=STYLESHEET.read_text(), url_fetcher=fetcher),
        weasyprint.CSS(string=pages, url_fetcher=fetcher),
    ]
    # Tagged (headings, tables, reading order), so that a screen reader reads it as the page.
    pdf: bytes = document.write_pdf(stylesheets=sheets, pdf_tags=True)
    return pdf


def _stamp(now: dt.datetime | None = None) -> dict[str, str]:
    now = timezone.localtime(now)
    return {"generated": f"{now:%-d %B %Y, %H:%M}", "accord_version": accord_version()}


# The board pack ----------------------------------------------------------------------------


@dataclass
class ScoreRow:
    """One group's or factor's figures in words: mean, 95% interval, n, and for a group its
    score in the round before and the change."""

    title: str
    mean: str
    interval: str
    n: str
    before: str = ""
    change: str = ""


@dataclass
class AssessmentPart:
    results: Any  # assessments' RoundResults of the latest round that has opened
    groups: list[ScoreRow]
    factors: list[ScoreRow]
    previous: str
    charts: list[Drawn] = field(default_factory=list)


def _num(value: float | None, places: int = 2, sign: bool = False) -> str:
    if value is None:
        return "–"
    return f"{value:+.{places}f}" if sign else f"{value:.{places}f}"


def _score_row(figure: Any, k: int) -> ScoreRow:
    if figure.suppressed or figure.mean is None:
        why = figure.withheld(k) if figure.suppressed else "no answers"
        return ScoreRow(figure.title, "Not shown", why, "–")
    return ScoreRow(
        figure.title,
        _num(figure.mean),
        f"{_num(figure.ci_low)} to {_num(figure.ci_high)}"
        if figure.ci_low is not None and figure.ci_high is not None
        else "–",
        str(figure.n),
    )


@dataclass
class AppraisalPart:
    record: Any
    view: Any  # appraisal's ResultsView
    charts: list[Drawn] = field(default_factory=list)


@dataclass
class BoardPack:
    collaboration: Any
    risks: list[Any]
    partners: list[Any]
    champions: list[Any]
    reviews: list[Any]
    areas: list[Any]
    assessment: AssessmentPart | None
    assessment_k: int
    kpis: list[tuple[Any, Drawn]]
    appraisals: list[AppraisalPart]
    lessons: list[tuple[Any, str]]
    actions: list[Any]
    marking: str
    generated: str
    accord_version: str
    today: dt.date

    @property
    def version(self) -> str:
        """Which version of the record the pack shows, and of Accord that drew it."""
        return f"record version {self.collaboration.version}, Accord {self.accord_version}"


def _assessment_part(
    user: Any, collaboration: Any, today: dt.date, *, pdf: bool
) -> AssessmentPart | None:
    scored = assessments.group_scores(collaboration, today)
    if not scored:
        return None
    latest = scored[-1]
    found = assessment_results.round_results(assessments.get_round(user, latest.round_id))
    before = next(
        (g for g in reversed(scored[:-1]) if g.framework_key == latest.framework_key), None
    )
    groups = []
    for figure in found.groups:
        row = _score_row(figure, found.k)
        now = latest.means.get(figure.id)
        then = before.means.get(figure.id) if before else None
        row.before = _num(then) if before else "No earlier round"
        row.change = _num(now - then, sign=True) if now is not None and then is not None else "–"
        groups.append(row)
    return AssessmentPart(
        results=found,
        groups=groups,
        factors=[_score_row(f, found.k) for f in found.factors],
        previous=before.title if before else "",
        charts=drawn(found.charts, pdf=pdf),
    )


def board_pack(user: Any, reference: str, *, pdf: bool = False) -> BoardPack:
    """Everything a collaboration's board pack shows, as this person may see it; NotVisible
    (a 404) where they may not see the collaboration."""
    collaboration = register.get_visible(user, reference, whole=True)
    today = timezone.localdate()
    kpi_views = [
        kpi_presentation.kpi_view(a) for a in kpi_queries.analyses_of(collaboration, today=today)
    ]
    kpi_drawn = drawn([v.chart for v in kpi_views], pdf=pdf)
    parts = []
    for record in appraisal.appraisals_of(collaboration):
        report = appraisal.report_for(record)
        view = appraisal_presentation.results_view(
            report, appraisal.organisation_names(list(report["by_organisation"]))
        )
        parts.append(AppraisalPart(record, view, drawn(view.charts, pdf=pdf)))
    shown = []
    if lessons.has_lessons(collaboration):
        shown = list(
            lessons.visible_lessons(user)
            .filter(collaboration=collaboration)
            .select_related("organisation")
            .order_by("-occurred_on", "pk")
        )
    actions = (
        list(lesson_queries.open_actions_of([x.pk for x in shown]).order_by("due", "pk"))
        if shown
        else []
    )
    visibilities = [collaboration.visibility, *(x.audience for x in shown)]
    return BoardPack(
        collaboration=collaboration,
        risks=register.risks_for(collaboration, today),
        partners=list(collaboration.partners.all()),
        champions=list(collaboration.champions.all()),
        reviews=sorted(collaboration.reviews.all(), key=lambda r: r.considered_on, reverse=True),
        areas=list(collaboration.areas.all()),
        assessment=_assessment_part(user, collaboration, today, pdf=pdf),
        assessment_k=assessment_results.k(),
        kpis=list(zip(kpi_views, kpi_drawn, strict=True)),
        appraisals=parts,
        lessons=[(x, x.shown("title", original=lessons.can_read_original(user, x))) for x in shown],
        actions=actions,
        marking=marking_for(visibilities),
        today=today,
        **_stamp(),
    )


def board_pack_pdf(user: Any, reference: str) -> tuple[BoardPack, bytes]:
    pack = board_pack(user, reference, pdf=True)
    html = render_to_string("insights/board_pack_pdf.html", {"pack": pack, "pdf": True})
    stamp = f"Board pack: {pack.collaboration.reference}, {pack.generated}, {pack.version}"
    return pack, html_to_pdf(html, marking=pack.marking, stamp=stamp)


def board_pack_filename(pack: BoardPack) -> str:
    return f"board-pack-{pack.collaboration.reference.lower()}-{pack.today:%Y-%m-%d}.pdf"


# The national report ---------------------------------------------------------------------


def national_context(user: Any, *, pdf: bool, progress: Progress = _no_progress) -> dict[str, Any]:
    """The national picture (map, table, consistency measures, year by year) and the findings,
    as this person may see them: insights' own queries and presentation, called as its pages
    call them."""
    today = timezone.localdate()
    progress(5, "Reading the register")
    picture = queries.picture(user, today)
    chosen = presentation.measure(None)
    table = presentation.rows(picture.now.areas, chosen, reverse("register:list"))
    progress(25, "Drawing the map")
    spec = presentation.map_spec(queries.map_features(), table, chosen, [])
    map_image = svg_data_uri(chart_svg(spec)) if pdf and spec is not None else ""
    years = presentation.years_chart(picture.years)
    progress(45, "Drawing the measures year by year")
    years_drawn = drawn([years], pdf=pdf)[0]
    progress(60, "Working out the findings")
    found = presentation.finding_rows(
        queries.computed_findings(user, today), reverse("register:list")
    )
    seen = register.visible_collaborations(user).filter(archived_at__isnull=True)
    return {
        "picture": picture,
        "chosen": chosen,
        "table": table,
        "map_spec": spec,
        "map_image": map_image,
        "figures": presentation.figures(picture.now),
        "natures": presentation.nature_rows(picture.now),
        "years": years_drawn,
        "findings": found,
        "marking": marking_for(seen.values_list("visibility", flat=True).distinct()),
        "today": today,
        "signed_in": bool(getattr(user, "is_authenticated", False)),
        **_stamp(),
    }


def national_pdf(user: Any, progress: Progress = _no_progress) -> tuple[dict[str, Any], bytes]:
    context = national_context(user, pdf=True, progress=progress)
    progress(75, "Laying out the PDF")
    html = render_to_string("insights/national_report_pdf.html", {**context, "pdf": True})
    stamp = f"National report, {context['generated']}, Accord {context['accord_version']}"
    pdf = html_to_pdf(html, marking=context["marking"], stamp=stamp)
    progress(100, "Ready")
    return context, pdf


# National report runs ----------------------------------------------------------------------


def snapshot(run: ReportRun) -> dict[str, Any]:
    """What the audit log keeps of a run: its state, never the PDF."""
    return {
        "state": run.state,
        "progress": run.progress,
        "error": run.error,
        "marking": run.marking,
        "requested_by": run.requested_by_id,
        "size": len(run.pdf) if run.pdf else 0,
    }


def is_stale(run: ReportRun, now: dt.datetime | None = None) -> bool:
    return run.working and (now or timezone.now()) - run.touched_at > STALE_AFTER


def runs_of(user: Any, limit: int = KEPT_RUNS) -> list[ReportRun]:
    """This person's latest national reports, newest first (the PDF itself left unread)."""
    if not user.is_authenticated:
        return []
    return list(ReportRun.objects.filter(requested_by=user).defer("pdf")[:limit])


def get_run(user: Any, pk: int) -> ReportRun:
    """The person's own run, or NotVisible: a report is drawn from what its asker may see, so
    nobody else may read it, administrators included."""
    found = (
        ReportRun.objects.filter(pk=pk, requested_by=user).first()
        if user.is_authenticated
        else None
    )
    if found is None:
        raise NotVisible("report")
    return found


def request_national_report(actor: Any) -> ReportRun:
    """Ask for a national report drawn from what `actor` may see; its thread starts once this
    is committed (so that it finds the run). One at a time a person."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionRefused("Sign in to ask for a national report.")
    with transaction.atomic():
        working = [r for r in runs_of(actor) if r.working and not is_stale(r)]
        if working:
            return working[0]
        run = ReportRun.objects.create(
            requested_by=actor, progress=0, progress_text="Waiting to start"
        )
        audit.record(actor=actor, action="report.request", obj=run, after=snapshot(run))
        _discard_old(actor)
        pk = run.pk
        transaction.on_commit(lambda: start(pk))
    return run


def _discard_old(actor: Any) -> None:
    """Keep a person's newest reports (KEPT_RUNS), so that PDFs do not pile up unread: the
    older ones are deleted, each an audit event."""
    old = ReportRun.objects.filter(requested_by=actor).defer("pdf")[KEPT_RUNS:]
    for run in list(old):
        before = snapshot(run)
        pk = run.pk
        run.delete()
        audit.record(
            actor=actor,
            action="report.discard",
            object_type=ReportRun._meta.label_lower,
            object_id=str(pk),
            object_label=f"National report {pk}",
            before=before,
        )


def start(pk: int) -> threading.Thread:
    """Write the run's report in a thread of this process."""
    thread = threading.Thread(target=_in_thread, args=(pk,), name=f"report-{pk}", daemon=True)
    thread.start()
    return thread


def _in_thread(pk: int) -> None:
    close_old_connections()
    try:
        run_report(pk)
    finally:
        connections.close_all()


def _note(pk: int, percent: int, text: str) -> None:
    # Bookkeeping of a run, as a progress bar's: no change of record, no audit event.
    ReportRun.objects.filter(pk=pk).update(
        progress=percent, progress_text=text[:200], touched_at=timezone.now()
    )


def _transition(run: ReportRun, action: str, change: Callable[[ReportRun], None]) -> None:
    with transaction.atomic():
        found = ReportRun.objects.select_for_update().select_related("requested_by").get(pk=run.pk)
        before = snapshot(found)
        change(found)
        found.touched_at = timezone.now()
        found.save()
        audit.record(
            actor=found.requested_by, action=action, obj=found, before=before, after=snapshot(found)
        )


def run_report(pk: int) -> ReportRun | None:
    """Write a queued run's PDF: done with the file, or failed with the reason. None when the
    run is not waiting (another thread took it)."""
    with transaction.atomic():
        taken = ReportRun.objects.filter(pk=pk, state=ReportState.QUEUED).update(
            state=ReportState.RUNNING, progress=1, progress_text="Starting"
        )
    if not taken:
        return None
    run = ReportRun.objects.select_related("requested_by").get(pk=pk)
    audit.record(
        actor=run.requested_by,
        action="report.start",
        obj=run,
        after=snapshot(run),
    )
    try:
        context, pdf = national_pdf(run.requested_by, lambda p, t: _note(pk, p, t))
    except Exception as exc:  # any failure is the run's to show, not the server's end
        reason = str(exc) or type(exc).__name__

        def fail(found: ReportRun) -> None:
            found.state, found.error = ReportState.FAILED, reason[:2000]
            found.finished_at = timezone.now()

        _transition(run, "report.fail", fail)
    else:

        def done(found: ReportRun) -> None:
            found.state, found.progress, found.progress_text = ReportState.DONE, 100, "Ready"
            found.pdf, found.marking = pdf, context["marking"]
            found.finished_at = timezone.now()

        _transition(run, "report.done", done)
    return ReportRun.objects.get(pk=pk)


def national_filename(day: dt.date) -> str:
    return f"accord-national-report-{day:%Y-%m-%d}.pdf"
