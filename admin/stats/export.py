"""Case-level exports without personal data: CSV for any tool, XLSX for the Secretaría."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping

from openpyxl import Workbook

from oirs.labels import CHANNEL_LABELS, STATUS_LABELS, TYPE_LABELS
from oirs.stats import CaseFact, Report

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


def csv_lines(report: Report, categories: Mapping[str, str]) -> Iterator[str]:
    """CSV as Excel in Chile opens it: UTF-8 with BOM, semicolons."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    buffer.write("\ufeff")
    writer.writerow(HEADERS)
    for fact in report.facts:
        writer.writerow(fact_row(fact, categories))
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def workbook(report: Report, categories: Mapping[str, str]) -> bytes:
    """Cases, compliance per unit and monthly volume per type, one sheet each."""
    book = Workbook(write_only=True)
    cases = book.create_sheet("Casos")
    cases.append(list(HEADERS))
    for fact in report.facts:
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
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
