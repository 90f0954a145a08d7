"""Case-level exports without personal data: CSV for any tool, XLSX for the Secretaría."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from openpyxl import Workbook

from oirs.labels import CHANNEL_LABELS, STATUS_LABELS, TYPE_LABELS
from oirs.reporting.stats import NO_VALUE, CaseFact, Report

HEADERS = (
    "Folio",
    "Tipo",
    "Canal",
    "Categoría",
    "Unidad",
    "Estado",
    "Recibido",
    "Vence",
    "Respondido",
    "Días de respuesta",
    "En plazo",
    "Prorrogado",
)
SHEETS = {
    "type": "Volumen mensual",
    "channel": "Por canal",
    "category": "Por categoría",
    "unit": "Por unidad",
}
YES_NO = {True: "Sí", False: "No", None: "En curso"}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTAINMENT_HEADERS = (
    "Mes",
    "Canal",
    "Resueltas sin una persona",
    "Derivadas a una persona",
    "Abandonadas",
    "En curso",
    "% resueltas sin una persona",
)
SATISFACTION_HEADERS = ("Evaluaciones", "Promedio (1 a 5)", "1", "2", "3", "4", "5")
NO_UNIT_ANSWERED = "Sin unidad (respondido por la OIRS)"
LATE_HEADERS = ("Unidad", "Folio", "Tipo", "Vencía", "Respondido", "Días de atraso", "Días")


def safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is quoted."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def fact_row(fact: CaseFact, categories: Mapping[str, str]) -> list[object]:
    return [
        fact.folio,
        TYPE_LABELS.get(fact.type, fact.type),
        CHANNEL_LABELS.get(fact.channel, fact.channel),
        safe(categories.get(fact.category, fact.category)),
        safe(fact.unit),
        STATUS_LABELS.get(fact.status, fact.status),
        fact.received_on.isoformat(),
        fact.due_date.isoformat(),
        fact.answered_on.isoformat() if fact.answered_on else "",
        "" if fact.response_days is None else fact.response_days,
        YES_NO[fact.on_time],
        "Sí" if fact.extended else "No",
    ]


def containment_rows(report: Report) -> list[list[object]]:
    """Conversations per month and channel by how they ended, then the period's total."""
    total = report.containment_total
    rows: list[list[object]] = [
        [
            c.month,
            CHANNEL_LABELS.get(c.channel, c.channel),
            c.resolved,
            c.handed_off,
            c.abandoned,
            c.ongoing,
            c.resolved_pct,
        ]
        for c in report.containment
    ]
    if rows:
        rows.append(
            [
                "Total",
                "",
                total.resolved,
                total.handed_off,
                total.abandoned,
                total.ongoing,
                total.resolved_pct,
            ]
        )
    return rows


def satisfaction_rows(report: Report, dimension: str) -> list[list[object]]:
    """Ratings (1-5) per unit that answered, or per month: count, mean and each score."""
    rows: list[list[object]] = []
    for group in report.satisfaction_by(dimension):
        label = NO_UNIT_ANSWERED if group.label == NO_VALUE else group.label
        scores = [group.scores[k] for k in range(1, 6)]
        rows.append([safe(label), group.count, group.mean, *scores])
    return rows


def late_rows(report: Report) -> list[list[object]]:
    """The cases each unit let expire, the unit with most first (the monthly report's list)."""
    return [
        [
            safe(unit.unit),
            case.folio,
            TYPE_LABELS.get(case.type, case.type),
            case.due_date.isoformat(),
            case.answered_on.isoformat() if case.answered_on else "",
            case.days_late,
            "corridos" if case.calendar_days else "hábiles",
        ]
        for unit in report.late_units
        for case in unit.cases
    ]


def _csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """CSV as Excel in Chile opens it: UTF-8 with BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def case_csv(facts: Iterable[CaseFact], categories: Mapping[str, str]) -> Iterator[str]:
    """One row per case (oirs.reporting.stats.case_facts)."""
    return _csv(HEADERS, (fact_row(fact, categories) for fact in facts))


def containment_csv(report: Report, categories: Mapping[str, str]) -> Iterator[str]:
    return _csv(CONTAINMENT_HEADERS, containment_rows(report))


def satisfaction_csv(report: Report, categories: Mapping[str, str]) -> Iterator[str]:
    """Per unit that answered, then per month, in one table (its first column says which)."""
    rows = [["Unidad", *row] for row in satisfaction_rows(report, "unit")]
    rows += [["Mes", *row] for row in satisfaction_rows(report, "month")]
    return _csv(("Por", "Unidad o mes", *SATISFACTION_HEADERS), rows)


# ?tabla= of the CSV export of the indicators; "casos" is case_csv, from the cases themselves
CSV_TABLES: dict[str, Callable[[Report, Mapping[str, str]], Iterator[str]]] = {
    "contencion": containment_csv,
    "satisfaccion": satisfaction_csv,
}


def workbook(report: Report, facts: Iterable[CaseFact], categories: Mapping[str, str]) -> bytes:
    """Cases, compliance per unit and monthly volume per type, one sheet each."""
    book = Workbook(write_only=True)
    cases = book.create_sheet("Casos")
    cases.append(list(HEADERS))
    for fact in facts:
        cases.append(fact_row(fact, categories))
    units = book.create_sheet("Cumplimiento por unidad")
    units.append(
        [
            "Unidad",
            "En plazo",
            "Fuera de plazo",
            "En curso",
            "% en plazo",
            "Promedio días",
            "p90 días",
        ]
    )
    for unit in [*report.units, report.total]:
        units.append(
            [
                safe(unit.unit),
                unit.on_time,
                unit.late,
                unit.pending,
                unit.on_time_pct,
                unit.mean_days,
                unit.p90_days,
            ]
        )
    for dimension, title in SHEETS.items():
        sheet = book.create_sheet(title)
        values, rows = report.monthly(dimension)
        names = {"type": TYPE_LABELS, "channel": CHANNEL_LABELS, "category": categories}
        labels = names.get(dimension, {})
        sheet.append(["Mes", *(safe(labels.get(v, v)) for v in values), "Total"])
        for month, counts, total in rows:
            sheet.append([month, *counts, total])
    _append(book.create_sheet("Contención"), CONTAINMENT_HEADERS, containment_rows(report))
    for dimension, title, first in (
        ("unit", "Satisfacción por unidad", "Unidad que respondió"),
        ("month", "Satisfacción por mes", "Mes"),
    ):
        _append(
            book.create_sheet(title),
            (first, *SATISFACTION_HEADERS),
            satisfaction_rows(report, dimension),
        )
    _append(book.create_sheet("Fuera de plazo por unidad"), LATE_HEADERS, late_rows(report))
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _append(sheet: Any, header: Sequence[object], rows: Iterable[Sequence[object]]) -> None:
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
