"""Statistics page with charts, CSV/XLSX exports and the monthly compliance report (PDF)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
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
from admin.stats.export import CSV_TABLES, case_csv, workbook
from oirs.handoffs.conversations import ABANDON_AFTER
from oirs.labels import CHANNEL_LABELS, TYPE_LABELS
from oirs.models import Category
from oirs.reporting.satisfaction import GRADE_SCALE, grade_to_score
from oirs.reporting.stats import NO_VALUE, Report, build_report, case_facts

MAX_SPAN = timedelta(days=3 * 366)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MESSAGES = {
    "order": "La fecha «hasta» debe ser igual o posterior a «desde».",
    "span": "El período no puede superar tres años.",
    "month": "Indique el mes como AAAA-MM.",
    "table": "La tabla debe ser casos, contencion o satisfaccion.",
    "no_category": "Sin categoría",
    "no_unit": "Sin unidad asignada",
    "no_unit_answered": "Sin unidad (respondido por la OIRS)",
}
# a school grade and the 1-5 score it is kept as, 7 first (oirs.reporting.satisfaction)
GRADES = [(grade, grade_to_score(grade)) for grade in reversed(GRADE_SCALE)]
ABANDON_HOURS = int(ABANDON_AFTER.total_seconds() // 3600)
MONTH_ABBREVIATIONS = tuple(month[:3] for month in MONTHS)  # "ene" … "dic"


class PeriodForm(StaffForm):
    class Meta:
        csrf = False

    desde = DateField("Desde", validators=[Optional()])
    hasta = DateField("Hasta", validators=[Optional()])


def chilean_today() -> date:
    return datetime.now(SANTIAGO).date()


def period_of(form: PeriodForm) -> tuple[date, date] | None:
    """The chosen period, by default the last twelve months; None when invalid."""
    today = chilean_today()
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


def _report(start: date, end: date, with_late_units: bool = True) -> Report:
    return build_report(
        db(),
        start,
        end,
        calendar(),
        chilean_today(),
        now=datetime.now(UTC),
        with_late_units=with_late_units,
    )


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
        "containment": bar_chart(
            [
                (CHANNEL_LABELS.get(c.channel, c.channel), c.resolved_pct)
                for c in report.containment_by_channel()
                if c.resolved_pct is not None
            ],
            "Porcentaje de conversaciones resueltas sin una persona, por canal",
            suffix=" %",
            maximum=100,
        ),
        "satisfaction": bar_chart(
            [
                (MESSAGES["no_unit_answered"] if s.label == NO_VALUE else s.label, s.mean)
                for s in report.satisfaction_by("unit")
                if s.mean is not None
            ],
            "Satisfacción promedio por unidad que respondió (1 a 5)",
            maximum=5,
        ),
    }


def _shared(report: Report, categories: dict[str, str]) -> dict[str, Any]:
    """What the page and the PDF both show: charts, names for codes, the grade scale."""
    return {
        "report": report,
        "charts": _charts(report, categories),
        "grades": GRADES,
        "abandon_hours": ABANDON_HOURS,
        "unit_labels": {NO_VALUE: MESSAGES["no_unit"]},
        "answered_labels": {NO_VALUE: MESSAGES["no_unit_answered"]},
    }


@bp.get("/")
@requires("stats.read")
def index() -> ResponseReturnValue:
    form = PeriodForm(request.args)
    period = period_of(form)
    if period is None:
        return render_template("stats/index.html", form=form, report=None), 400
    with db().begin():
        categories = _categories()
        report = _report(*period, with_late_units=False)  # only the PDF and XLSX list them
        return render_template(
            "stats/index.html",
            form=form,
            **_shared(report, categories),
            labels={
                "type": TYPE_LABELS,
                "channel": CHANNEL_LABELS,
                "category": {**categories, NO_VALUE: MESSAGES["no_category"]},
                "unit": {NO_VALUE: MESSAGES["no_unit"]},
            },
            args={"desde": period[0].isoformat(), "hasta": period[1].isoformat()},
        )


def _export_period() -> tuple[date, date]:
    period = period_of(PeriodForm(request.args))
    if period is None:
        abort(400)
    return period


@bp.get("/exportar.csv")
@requires("stats.read")
def export_csv() -> ResponseReturnValue:
    """?tabla=casos (one row per case, the default), contencion or satisfaccion."""
    start, end = _export_period()
    table = request.args.get("tabla") or "casos"
    if table != "casos" and table not in CSV_TABLES:
        abort(400, MESSAGES["table"])
    with db().begin():
        categories = _categories()
        if table == "casos":  # one row per case: no indicators needed
            lines = case_csv(case_facts(db(), start, end, calendar(), chilean_today()), categories)
        else:
            lines = CSV_TABLES[table](_report(start, end), categories)
    response = Response(stream_with_context(lines), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{table}_{start}_{end}.csv"'
    return response


@bp.get("/exportar.xlsx")
@requires("stats.read")
def export_xlsx() -> ResponseReturnValue:
    start, end = _export_period()
    with db().begin():
        facts = case_facts(db(), start, end, calendar(), chilean_today())
        data = workbook(_report(start, end), facts, _categories())
    response = Response(data, mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="casos_{start}_{end}.xlsx"'
    return response


def month_bounds(value: str | None) -> tuple[date, date]:
    """First and last day of YYYY-MM (by default the previous month); 400 when malformed."""
    if not value:
        last = chilean_today().replace(day=1) - timedelta(days=1)
        return last.replace(day=1), last
    try:
        first = datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        abort(400, MESSAGES["month"])
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first, following - timedelta(days=1)


def report_filename(start: date) -> str:
    return f"informe_cumplimiento_{start:%Y-%m}.pdf"


def monthly_pdf(start: date, end: date) -> bytes:
    """The monthly compliance report of the cases received from start to end, as a PDF."""
    from weasyprint import HTML

    with db().begin():
        categories = _categories()
        report = _report(start, end)
        html = render_template(
            "stats/report.html",
            **_shared(report, categories),
            commune=settings().commune,
            generated=chilean_today(),
        )
    return bytes(HTML(string=html).write_pdf())


@bp.get("/informe-mensual.pdf")
@requires("stats.read")
def monthly_report() -> ResponseReturnValue:
    start, end = month_bounds(request.args.get("mes"))
    response = Response(monthly_pdf(start, end), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{report_filename(start)}"'
    return response


from admin.stats import dispatch  # noqa: E402,F401  (the sending routes register on bp)
