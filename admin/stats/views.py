"""Statistics page with charts, CSV/XLSX exports and the monthly compliance report (PDF)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Response, abort, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from oirs_rules.dates import MONTHS, SANTIAGO
from sqlalchemy import select
from wtforms import DateField
from wtforms.validators import Optional

from admin.auth.forms import StaffForm
from admin.auth.permissions import requires
from admin.database import calendar, db, settings
from admin.stats import bp
from admin.stats.charts import bar_chart, column_chart
from admin.stats.export import csv_lines, workbook
from oirs.labels import CHANNEL_LABELS, TYPE_LABELS
from oirs.models import Category
from oirs.stats import NO_VALUE, Report, build_report

MAX_SPAN = timedelta(days=3 * 366)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MESSAGES = {
    "order": "La fecha «hasta» debe ser igual o posterior a «desde».",
    "span": "El período no puede superar tres años.",
    "month": "Indique el mes como AAAA-MM.",
    "no_category": "Sin categoría",
    "no_unit": "Sin unidad asignada",
}
MONTH_ABBREVIATIONS = tuple(month[:3] for month in MONTHS)  # "ene" … "dic"


class PeriodForm(StaffForm):
    class Meta:
        csrf = False

    desde = DateField("Desde", validators=[Optional()])
    hasta = DateField("Hasta", validators=[Optional()])


def _today() -> date:
    return datetime.now(SANTIAGO).date()


def _period(form: PeriodForm) -> tuple[date, date] | None:
    """The chosen period, by default the last twelve months; None when invalid."""
    today = _today()
    default_start = (today.replace(day=1) - timedelta(days=335)).replace(day=1)
    if not form.validate():
        return None
    start, end = form.desde.data or default_start, form.hasta.data or today
    if end < start:
        form.hasta.errors = [*form.hasta.errors, MESSAGES["order"]]
        return None
    if end - start > MAX_SPAN:
        form.desde.errors = [*form.desde.errors, MESSAGES["span"]]
        return None
    form.desde.data, form.hasta.data = start, end
    return start, end


def _categories() -> dict[str, str]:
    return {c.code: c.name for c in db().scalars(select(Category))}


def _report(start: date, end: date) -> Report:
    return build_report(db(), start, end, calendar(), _today())


def month_label(month: str) -> str:
    """2026-03 -> mar 2026."""
    year, number = month.split("-")
    return f"{MONTH_ABBREVIATIONS[int(number) - 1]} {year}"


def _charts(report: Report, categories: dict[str, str]) -> dict[str, Any]:
    per_month: dict[str, int] = {}
    for (month, _value), n in report.volumes["type"].items():
        per_month[month] = per_month.get(month, 0) + n
    monthly = [(month_label(m), per_month[m]) for m in report.months]
    categories = {**categories, NO_VALUE: MESSAGES["no_category"]}
    return {
        "monthly": column_chart(monthly, "Casos ingresados por mes"),
        "type": bar_chart(
            [(TYPE_LABELS.get(k, k), n) for k, n in report.totals("type")], "Casos por tipo"
        ),
        "channel": bar_chart(
            [(CHANNEL_LABELS.get(k, k), n) for k, n in report.totals("channel")],
            "Casos por canal",
        ),
        "category": bar_chart(
            [(categories.get(k, k), n) for k, n in report.totals("category")],
            "Casos por categoría",
        ),
        "unit": bar_chart(
            [(MESSAGES["no_unit"] if k == NO_VALUE else k, n) for k, n in report.totals("unit")],
            "Casos por unidad",
        ),
        "on_time": bar_chart(
            [(u.unit, u.on_time_pct) for u in report.units if u.on_time_pct is not None],
            "Porcentaje de casos respondidos en plazo por unidad",
            suffix=" %",
            maximum=100,
        ),
    }


@bp.get("/")
@requires("stats.read")
def index() -> ResponseReturnValue:
    form = PeriodForm(request.args)
    period = _period(form)
    if period is None:
        return render_template("stats/index.html", form=form, report=None), 400
    with db().begin():
        categories = _categories()
        report = _report(*period)
        return render_template(
            "stats/index.html",
            form=form,
            report=report,
            charts=_charts(report, categories),
            labels={
                "type": TYPE_LABELS,
                "channel": CHANNEL_LABELS,
                "category": {**categories, NO_VALUE: MESSAGES["no_category"]},
                "unit": {NO_VALUE: MESSAGES["no_unit"]},
            },
            args={"desde": period[0].isoformat(), "hasta": period[1].isoformat()},
        )


def _export_period() -> tuple[date, date]:
    period = _period(PeriodForm(request.args))
    if period is None:
        abort(400)
    return period


@bp.get("/exportar.csv")
@requires("stats.read")
def export_csv() -> ResponseReturnValue:
    start, end = _export_period()
    with db().begin():
        report, categories = _report(start, end), _categories()
    response = Response(stream_with_context(csv_lines(report, categories)), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="casos_{start}_{end}.csv"'
    return response


@bp.get("/exportar.xlsx")
@requires("stats.read")
def export_xlsx() -> ResponseReturnValue:
    start, end = _export_period()
    with db().begin():
        data = workbook(_report(start, end), _categories())
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="casos_{start}_{end}.xlsx"'
    return response


def _month(value: str | None) -> tuple[date, date]:
    """First and last day of YYYY-MM; by default the previous month."""
    if not value:
        last = _today().replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        abort(400, MESSAGES["month"])
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


@bp.get("/informe-mensual.pdf")
@requires("stats.read")
def monthly_report() -> ResponseReturnValue:
    from weasyprint import HTML

    start, end = _month(request.args.get("mes"))
    with db().begin():
        categories = _categories()
        report = _report(start, end)
        html = render_template(
            "stats/report.html",
            report=report,
            charts=_charts(report, categories),
            commune=settings().commune,
            generated=_today(),
        )
    response = Response(bytes(HTML(string=html).write_pdf()), mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="informe_cumplimiento_{start:%Y-%m}.pdf"'
    )
    return response
