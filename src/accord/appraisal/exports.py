"""An appraisal as an Excel workbook: Inputs, Per year and Results sheets.

Text that a spreadsheet would run as a formula is neutralised; the protective marking (its
collaboration's: core.marking.marking_for) goes in each sheet's printed header and footer, as in
``core.spreadsheets.write_xlsx``, and on the Results sheet. Every code (a payer's, a benefit
class's, an input's path) has its name beside it; figures are at full precision.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from accord.core.spreadsheets import neutralise

from . import engine
from .models import Appraisal
from .presentation import CLASS_NAMES, input_label
from .services import party_name
from .values import list_text, value_text


def filename(record: Appraisal) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{record.collaboration.reference}-{record.title}")
    return slug.strip("-").lower()[:80] or f"appraisal-{record.pk}"


def _mark(sheet: Worksheet, marking: str) -> None:
    for band in (sheet.oddHeader, sheet.oddFooter):
        if band is not None:
            band.center.text = marking


def _append(sheet: Worksheet, row: list[Any], bold: bool = False) -> None:
    sheet.append([neutralise(v) for v in row])
    if bold:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)


def _party(key: str | None, names: Mapping[str, str]) -> str:
    """A payer's or beneficiary's name beside its code: an organisation's, or that of a party
    that is not one (a name stored before payers were chosen is its own name)."""
    if not key:
        return ""
    return names.get(key) or party_name(key) or key


def _cell(value: engine.Value | None) -> Any:
    if value is None:
        return None
    if isinstance(value, engine.Distribution):
        return value_text(value)
    return float(value)


def appraisal_xlsx(
    appraisal: engine.Appraisal,
    report: Mapping[str, Any],
    names: Mapping[str, str],
    *,
    marking: str,
    collaboration_title: str = "",
) -> bytes:
    """The workbook. `names` are the payers' and beneficiaries' names by their codes
    (services.organisation_names); `collaboration_title` the title beside its reference."""
    workbook = Workbook()
    inputs = workbook.active
    assert inputs is not None
    inputs.title = "Inputs"
    _append(inputs, ["Setting", "Value"], bold=True)
    discount = appraisal.discount
    settings_rows: list[list[Any]] = [
        ["Title", appraisal.title],
        ["Collaboration", appraisal.collaboration or ""],
        ["Collaboration title", collaboration_title],
        ["Description", appraisal.description or ""],
        ["Price year", appraisal.price_year],
        ["Years", appraisal.years],
        ["Discount", discount if isinstance(discount, str) else value_text(discount)],
    ]
    for grade, bias in sorted(appraisal.optimism_bias_by_grade.items()):
        settings_rows.append([f"Optimism bias, grade {grade}", bias])
    mc = appraisal.monte_carlo or engine.MonteCarloSettings()
    settings_rows += [["Monte Carlo iterations", mc.iterations], ["Monte Carlo seed", mc.seed]]
    for row in settings_rows:
        _append(inputs, row)
    _append(inputs, [])
    header = [
        "Kind",
        "Name",
        "Class",
        "Class name",
        "Payer or beneficiary",
        "Payer or beneficiary name",
        "Amounts by year",
        "Unit cost",
        "Volumes by year",
        "Confidence grade",
        "Optimism bias",
        "Deadweight",
        "Attribution",
        "Displacement",
        "Drop-off",
        "In SROI",
        "Source",
        "Notes",
    ]
    _append(inputs, header, bold=True)
    for line in appraisal.costs:
        _append(
            inputs,
            [
                "Cost",
                line.name,
                "",
                "",
                line.payer or "",
                _party(line.payer, names),
                list_text(line.amounts),
                _cell(line.unit_cost),
                list_text(line.volumes),
                line.confidence,
                _cell(line.optimism_bias),
                None,
                None,
                None,
                None,
                None,
                line.source or "",
                line.notes or "",
            ],
        )
    for b in appraisal.benefits:
        _append(
            inputs,
            [
                "Disbenefit" if engine.benefit_sign(b) < 0 else "Benefit",
                b.name,
                b.benefit_class,
                CLASS_NAMES.get(b.benefit_class, b.benefit_class),
                b.beneficiary or "",
                _party(b.beneficiary, names),
                list_text(b.amounts),
                _cell(b.unit_cost),
                list_text(b.volumes),
                b.confidence,
                _cell(b.optimism_bias),
                _cell(b.deadweight),
                _cell(b.attribution),
                _cell(b.displacement),
                _cell(b.drop_off),
                "yes" if b.in_sroi else "no",
                b.source or "",
                b.notes or "",
            ],
        )

    per_year = workbook.create_sheet("Per year")
    _append(
        per_year,
        [
            "Year",
            "Discount factor",
            "Costs (adjusted, real)",
            "Benefits net of disbenefits (adjusted, real)",
            "Disbenefits (adjusted, real)",
            "PV of costs",
            "PV of benefits net of disbenefits",
            "PV of disbenefits",
            "Cumulative net present value",
        ],
        bold=True,
    )
    for r in report["per_year"]:
        _append(
            per_year,
            [
                r["year"],
                r["discount_factor"],
                r["costs"],
                r["benefits"],
                r.get("disbenefits", 0.0),
                r["pv_costs"],
                r["pv_benefits"],
                r.get("pv_disbenefits", 0.0),
                r["cumulative_pv_net"],
            ],
        )

    results = workbook.create_sheet("Results")
    _append(results, ["Figure", "Value"], bold=True)
    for label, key in (
        ("Present value of costs (£)", "pv_costs"),
        ("Present value of benefits, net of disbenefits (£)", "pv_benefits"),
        ("Present value of disbenefits (£), already subtracted", "pv_disbenefits"),
        ("Net present value (£)", "npv"),
        ("Benefit-cost ratio", "bcr"),
        ("Fiscal benefit-cost ratio", "fiscal_bcr"),
        ("SROI ratio", "sroi"),
        ("Payback year", "payback_year"),
    ):
        _append(results, [label, report.get(key, 0.0 if key == "pv_disbenefits" else None)])
    for key, value in report["pv_benefits_by_class"].items():
        _append(results, [f"PV of benefits: {CLASS_NAMES.get(key, key)} ({key})", value])
    _append(results, [])
    _append(results, ["Organisation", "Code", "Pays (PV £)", "Benefits (PV £)"], bold=True)
    for code, split in report["by_organisation"].items():
        _append(results, [names.get(code, code), code, split["paid"], split["received"]])
    summary = report.get("monte_carlo")
    if summary:
        _append(results, [])
        _append(
            results,
            [
                f"Monte Carlo ({summary['iterations']} iterations, seed {summary['seed']})",
                "Mean",
                "p5",
                "p50",
                "p95",
            ],
            bold=True,
        )
        for key in ("npv", "bcr", "sroi"):
            s = summary[key]
            _append(results, [key.upper(), s["mean"], s["p5"], s["p50"], s["p95"]])
        _append(results, ["Probability NPV > 0", summary["p_npv_positive"]])
    if report.get("tornado"):
        _append(results, [])
        _append(
            results,
            ["Tornado input", "Input", "Low", "High", "NPV at low", "NPV at high", "Swing"],
            bold=True,
        )
        line_names = report.get("line_names")
        for r in report["tornado"]:
            _append(
                results,
                [
                    r["input"],
                    input_label(r["input"], line_names),
                    r["low"],
                    r["high"],
                    r["npv_at_low"],
                    r["npv_at_high"],
                    r["swing"],
                ],
            )
    _append(results, [])
    _append(results, ["Protective marking", marking])
    _append(results, ["Exported from", "Accord (figures as accord appraise computes them)"])

    for sheet in workbook.worksheets:
        _mark(sheet, marking)
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
