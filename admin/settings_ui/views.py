"""Settings index, municipal units and the category → unit map."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from admin.auth.permissions import requires
from admin.database import db
from admin.settings_ui import bp
from admin.settings_ui.forms import CategoryForm, UnitForm
from admin.settings_ui.screens import Row, Screen, render_edit, render_list
from oirs.models import Category, Unit

log = logging.getLogger(__name__)
SAVED = "Cambios guardados."
TAKEN = "Ya existe un registro con ese código."
CHECK = "Revise los campos marcados."


@bp.get("/")
@requires("settings.manage")
def index() -> ResponseReturnValue:
    return render_template("settings/index.html")


def _unit_screen(form: UnitForm) -> Screen:
    units = db().scalars(select(Unit).order_by(Unit.name)).all()
    rows = [
        Row(
            [u.code, u.name, u.email or "—", "Sí" if u.active else "No"],
            url_for("settings_ui.edit_unit", unit_id=u.id),
        )
        for u in units
    ]
    return Screen(
        "Unidades municipales",
        ["Código", "Nombre", "Correo", "Activa"],
        rows,
        form,
        ["code", "name", "email", "active"],
        "Agregar unidad",
        "Nueva unidad",
    )


@bp.route("/unidades", methods=["GET", "POST"])
@requires("settings.manage")
def units() -> ResponseReturnValue:
    form = UnitForm()
    session = db()
    if not form.validate_on_submit():
        return render_list(_unit_screen(form), 400 if form.errors else 200)
    code = (form.code.data or "").strip().upper()
    if session.scalar(select(Unit).where(Unit.code == code)):
        form.code.errors = [TAKEN]
        return render_list(_unit_screen(form), 400)
    session.add(
        Unit(code=code, name=form.name.data, email=form.email.data or None, active=form.active.data)
    )
    session.commit()
    log.info("settings unit created code=%s", code)
    flash(SAVED, "success")
    return redirect(url_for("settings_ui.units"), code=303)


@bp.route("/unidades/<int:unit_id>", methods=["GET", "POST"])
@requires("settings.manage")
def edit_unit(unit_id: int) -> ResponseReturnValue:
    session = db()
    unit = session.get(Unit, unit_id)
    if unit is None:
        return render_template("error.html", code=404, reason=None), 404
    form = UnitForm(obj=unit)
    form.code.render_kw = {"readonly": True}
    form.code.data = unit.code
    back = url_for("settings_ui.units")
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_edit(
            f"Unidad {unit.code}", form, ["code", "name", "email", "active"], back, status
        )
    unit.name = form.name.data or unit.name
    unit.email = form.email.data or None
    unit.active = bool(form.active.data)
    session.commit()
    flash(SAVED, "success")
    return redirect(back, code=303)


def _category_form(form: CategoryForm) -> CategoryForm:
    units = db().scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    form.unit.choices = [("", "Elija una unidad"), *((u.code, u.name) for u in units)]
    form.copy_unit.choices = [("", "Sin copia"), *((u.code, u.name) for u in units)]
    return form


def _category_screen(form: CategoryForm) -> Screen:
    categories = db().scalars(select(Category).order_by(Category.name)).all()
    rows = [
        Row(
            [
                c.code,
                c.name,
                c.unit.name if c.unit else "—",
                c.copy_unit.name if c.copy_unit else "—",
                "Sí" if c.active else "No",
            ],
            url_for("settings_ui.edit_category", category_id=c.id),
        )
        for c in categories
    ]
    return Screen(
        "Categorías y unidad responsable",
        ["Código", "Nombre", "Unidad", "Copia a", "Activa"],
        rows,
        form,
        ["code", "name", "unit", "copy_unit", "active"],
        "Agregar categoría",
        "Nueva categoría",
        intro="Cada categoría de reclamo se deriva por defecto a su unidad responsable.",
    )


def _unit_by_code(code: str | None) -> Unit | None:
    return db().scalar(select(Unit).where(Unit.code == code)) if code else None


@bp.route("/categorias", methods=["GET", "POST"])
@requires("settings.manage")
def categories() -> ResponseReturnValue:
    form = _category_form(CategoryForm())
    session = db()
    if not form.validate_on_submit():
        return render_list(_category_screen(form), 400 if form.errors else 200)
    code = (form.code.data or "").strip().lower()
    if session.scalar(select(Category).where(Category.code == code)):
        form.code.errors = [TAKEN]
        return render_list(_category_screen(form), 400)
    session.add(
        Category(
            code=code,
            name=form.name.data,
            unit=_unit_by_code(form.unit.data),
            copy_unit=_unit_by_code(form.copy_unit.data),
            open311_code=code,
            active=form.active.data,
        )
    )
    session.commit()
    log.info("settings category created code=%s", code)
    flash(SAVED, "success")
    return redirect(url_for("settings_ui.categories"), code=303)


@bp.route("/categorias/<int:category_id>", methods=["GET", "POST"])
@requires("settings.manage")
def edit_category(category_id: int) -> ResponseReturnValue:
    session = db()
    category = session.get(Category, category_id)
    if category is None:
        return render_template("error.html", code=404, reason=None), 404
    form = _category_form(CategoryForm(obj=category))
    form.code.render_kw = {"readonly": True}
    form.code.data = category.code
    if not form.is_submitted():
        form.unit.data = category.unit.code if category.unit else ""
        form.copy_unit.data = category.copy_unit.code if category.copy_unit else ""
    back = url_for("settings_ui.categories")
    fields = ["code", "name", "unit", "copy_unit", "active"]
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_edit(f"Categoría {category.code}", form, fields, back, status)
    category.name = form.name.data or category.name
    category.unit = _unit_by_code(form.unit.data)
    category.copy_unit = _unit_by_code(form.copy_unit.data)
    category.active = bool(form.active.data)
    session.commit()
    log.info("settings category updated code=%s unit=%s", category.code, form.unit.data)
    flash(SAVED, "success")
    return redirect(back, code=303)


from admin.settings_ui import rules, templates_ui, users  # noqa: E402,F401
