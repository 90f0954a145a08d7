"""Deadline rules per type and category, and the extra non-business days admins declare."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from admin.auth.permissions import requires
from admin.database import db
from admin.settings_ui import bp
from admin.settings_ui.forms import HolidayForm, RuleForm
from admin.settings_ui.screens import Row, Screen, render_list
from oirs import labels
from oirs.calendar.terms import CALENDAR_DAY_TYPES, DEFAULT_TERMS
from oirs.models import Category, DeadlineRule, ExtraHoliday

log = logging.getLogger(__name__)
FIXED_BY_LAW = {"sai"} | set(CALENDAR_DAY_TYPES)
MESSAGES = {
    "saved": "Plazo guardado.",
    "deleted": "Regla eliminada: se aplica el plazo general.",
    "fixed": "Este plazo lo fija la ley y no se configura aquí.",
    "holiday_saved": "Día inhábil agregado.",
    "holiday_deleted": "Día inhábil eliminado.",
    "holiday_taken": "Esa fecha ya está registrada como día inhábil.",
    "holiday_weekend": "Esa fecha cae en fin de semana: ya es inhábil.",
    "holiday_past": (
        "Solo se pueden eliminar días inhábiles futuros: los pasados ya contaron en plazos."
    ),
}


def _rule_form(form: RuleForm) -> RuleForm:
    types = [(k, v) for k, v in labels.TYPE_LABELS.items() if k not in FIXED_BY_LAW]
    form.case_type.choices = [("", "Elija un tipo"), *types]
    categories = db().scalars(select(Category).order_by(Category.name)).all()
    form.category.choices = [
        ("", "Todas (plazo del tipo)"),
        *((c.code, c.name) for c in categories),
    ]
    return form


def _rule_screen(form: RuleForm) -> Screen:
    rules = db().scalars(select(DeadlineRule).order_by(DeadlineRule.case_type)).all()
    names = dict(db().execute(select(Category.code, Category.name)).tuples().all())
    rows = [
        Row(
            [
                labels.TYPE_LABELS.get(r.case_type, r.case_type),
                names.get(r.category_code, r.category_code) if r.category_code else "Todas",
                str(r.business_days),
            ],
            delete_url=url_for("settings_ui.delete_rule", rule_id=r.id),
        )
        for r in rules
    ]
    defaults = ", ".join(
        f"{labels.TYPE_LABELS[t]}: {d}" for t, d in DEFAULT_TERMS.items() if t not in FIXED_BY_LAW
    )
    return Screen(
        "Plazos de respuesta",
        ["Tipo", "Categoría", "Días hábiles"],
        rows,
        form,
        ["case_type", "category", "business_days"],
        "Guardar plazo",
        "Nuevo plazo (o cambiar uno existente)",
        hints={
            "business_days": (
                "Máximo 20 días hábiles: la Ordenanza fija un tope de 30 días corridos."
            )
        },
        intro=(
            f"Plazos generales: {defaults} días hábiles. Una regla por categoría prevalece "
            "sobre la del tipo. Las solicitudes de acceso a la información (20 días hábiles, "
            "Ley 20.285) y las de datos personales (30 días corridos, Ley 21.719) "
            "tienen plazo legal fijo."
        ),
    )


@bp.route("/plazos", methods=["GET", "POST"])
@requires("settings.manage")
def rules() -> ResponseReturnValue:
    form = _rule_form(RuleForm())
    if not form.validate_on_submit():
        return render_list(_rule_screen(form), 400 if form.errors else 200)
    session = db()
    category = form.category.data or None
    rule = session.scalar(
        select(DeadlineRule).where(
            DeadlineRule.case_type == form.case_type.data, DeadlineRule.category_code == category
        )
        if category
        else select(DeadlineRule).where(
            DeadlineRule.case_type == form.case_type.data, DeadlineRule.category_code.is_(None)
        )
    )
    if rule is None:
        rule = DeadlineRule(case_type=form.case_type.data, category_code=category)
        session.add(rule)
    rule.business_days = int(form.business_days.data or 0)
    session.commit()
    log.info(
        "settings deadline rule type=%s category=%s days=%s",
        rule.case_type,
        category,
        rule.business_days,
    )
    flash(MESSAGES["saved"], "success")
    return redirect(url_for("settings_ui.rules"), code=303)


@bp.post("/plazos/<int:rule_id>/eliminar")
@requires("settings.manage")
def delete_rule(rule_id: int) -> ResponseReturnValue:
    session = db()
    rule = session.get(DeadlineRule, rule_id)
    if rule is not None:
        session.delete(rule)
        session.commit()
        flash(MESSAGES["deleted"], "success")
    return redirect(url_for("settings_ui.rules"), code=303)


def _holiday_screen(form: HolidayForm) -> Screen:
    since = date.today() - timedelta(days=365)
    days = (
        db()
        .scalars(select(ExtraHoliday).where(ExtraHoliday.day >= since).order_by(ExtraHoliday.day))
        .all()
    )
    today = date.today()
    rows = [
        Row(
            [h.day.strftime("%d-%m-%Y"), h.reason],
            delete_url=url_for("settings_ui.delete_holiday", holiday_id=h.id)
            if h.day > today
            else None,
        )
        for h in days
    ]
    return Screen(
        "Días inhábiles adicionales",
        ["Fecha", "Motivo"],
        rows,
        form,
        ["day", "reason"],
        "Agregar día inhábil",
        "Nuevo día inhábil",
        intro=(
            "Los feriados nacionales y los regionales o comunales de la comuna ya se consideran. "
            "Agregue aquí un feriado decretado a última hora o un día de elecciones."
        ),
    )


@bp.route("/feriados", methods=["GET", "POST"])
@requires("settings.manage")
def holidays() -> ResponseReturnValue:
    form = HolidayForm()
    if not form.validate_on_submit():
        return render_list(_holiday_screen(form), 400 if form.errors else 200)
    session = db()
    day = form.day.data
    assert day is not None
    if day.weekday() >= 5:
        form.day.errors = [MESSAGES["holiday_weekend"]]
    elif session.scalar(select(ExtraHoliday).where(ExtraHoliday.day == day)):
        form.day.errors = [MESSAGES["holiday_taken"]]
    if form.day.errors:
        return render_list(_holiday_screen(form), 400)
    session.add(ExtraHoliday(day=day, reason=(form.reason.data or "").strip()))
    session.commit()
    log.info("settings extra holiday day=%s", day.isoformat())
    flash(MESSAGES["holiday_saved"], "success")
    return redirect(url_for("settings_ui.holidays"), code=303)


@bp.post("/feriados/<int:holiday_id>/eliminar")
@requires("settings.manage")
def delete_holiday(holiday_id: int) -> ResponseReturnValue:
    session = db()
    holiday = session.get(ExtraHoliday, holiday_id)
    if holiday is not None and holiday.day <= date.today():
        flash(MESSAGES["holiday_past"], "error")
    elif holiday is not None:
        session.delete(holiday)
        session.commit()
        flash(MESSAGES["holiday_deleted"], "success")
    return redirect(url_for("settings_ui.holidays"), code=303)
