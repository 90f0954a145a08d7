"""Reply templates staff start their answers from."""

from __future__ import annotations

import logging

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from admin.auth.permissions import requires
from admin.database import db
from admin.settings_ui import bp
from admin.settings_ui.forms import TemplateForm
from admin.settings_ui.screens import Row, Screen, apply_field_errors, render_edit, render_list
from oirs import labels
from oirs.errors import InvalidField
from oirs.models import ReplyTemplate
from oirs.outbox.replies import VARIABLES, check_template_body

log = logging.getLogger(__name__)
SAVED = "Plantilla guardada."
TAKEN = "Ya existe una plantilla con ese código."
FIELDS = ["code", "name", "case_type", "body", "active"]


def _hint() -> dict[str, str]:
    names = ", ".join("{" + name + "}" for name in VARIABLES)
    return {"body": f"Variables disponibles: {names}."}


def _form(form: TemplateForm) -> TemplateForm:
    form.case_type.choices = [("", "Todos los tipos"), *labels.TYPE_LABELS.items()]
    return form


def _screen(form: TemplateForm) -> Screen:
    templates = db().scalars(select(ReplyTemplate).order_by(ReplyTemplate.name)).all()
    rows = [
        Row(
            [
                t.code,
                t.name,
                labels.TYPE_LABELS.get(t.case_type, "Todos") if t.case_type else "Todos",
                "Sí" if t.active else "No",
            ],
            url_for("settings_ui.edit_template", template_id=t.id),
        )
        for t in templates
    ]
    return Screen(
        "Plantillas de respuesta",
        ["Código", "Nombre", "Tipo", "Activa"],
        rows,
        form,
        FIELDS,
        "Agregar plantilla",
        "Nueva plantilla",
        hints=_hint(),
    )


def _body_ok(form: TemplateForm) -> bool:
    try:
        check_template_body(form.body.data or "")
    except InvalidField as exc:
        apply_field_errors(form, exc.fields)
        return False
    return True


@bp.route("/plantillas", methods=["GET", "POST"])
@requires("settings.manage")
def templates() -> ResponseReturnValue:
    form = _form(TemplateForm())
    session = db()
    if not form.validate_on_submit() or not _body_ok(form):
        return render_list(_screen(form), 400 if form.is_submitted() else 200)
    code = (form.code.data or "").strip().lower()
    if session.scalar(select(ReplyTemplate).where(ReplyTemplate.code == code)):
        form.code.errors = [TAKEN]
        return render_list(_screen(form), 400)
    session.add(
        ReplyTemplate(
            code=code,
            name=form.name.data,
            case_type=form.case_type.data or None,
            body=(form.body.data or "").strip(),
            active=form.active.data,
        )
    )
    session.commit()
    log.info("settings reply template created code=%s", code)
    flash(SAVED, "success")
    return redirect(url_for("settings_ui.templates"), code=303)


@bp.route("/plantillas/<int:template_id>", methods=["GET", "POST"])
@requires("settings.manage")
def edit_template(template_id: int) -> ResponseReturnValue:
    session = db()
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        return render_template("error.html", code=404, reason=None), 404
    form = _form(TemplateForm(obj=template))
    form.code.render_kw = {"readonly": True}
    form.code.data = template.code
    if not form.is_submitted():
        form.case_type.data = template.case_type or ""
    back = url_for("settings_ui.templates")
    if not form.validate_on_submit() or not _body_ok(form):
        status = 400 if form.is_submitted() else 200
        return render_edit(f"Plantilla {template.code}", form, FIELDS, back, status, _hint())
    template.name = form.name.data or template.name
    template.case_type = form.case_type.data or None
    template.body = (form.body.data or "").strip()
    template.active = bool(form.active.data)
    session.commit()
    flash(SAVED, "success")
    return redirect(back, code=303)
