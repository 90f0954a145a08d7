"""Staff file a case for a resident who came in person, wrote an e-mail or phoned.

The form proposes the category from the description with the same classifier the bot uses
(oirs.themes.store): preselected when confident, else the three likeliest to choose from."""

from __future__ import annotations

import logging
import secrets

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from wtforms import EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin.auth.forms import StaffForm, apply_field_errors
from admin.auth.permissions import requires
from admin.cases import bp
from admin.database import calendar, db
from admin.errors import error_response
from oirs import labels
from oirs.cases.filing import (
    MAX_DESCRIPTION,
    Actor,
    ContactData,
    NewCase,
    due_date_display,
    file_case,
)
from oirs.errors import InvalidField
from oirs.models import Category
from oirs.themes.classifier import ThemeSuggestion
from oirs.themes.store import ModelSource, model_source, suggest

log = logging.getLogger(__name__)
REQUIRED = "Este campo es obligatorio."
STAFF_CHANNELS = ("presencial", "email", "voice")
MESSAGES = {
    "filed": "Caso registrado con folio {folio}. Vence el {due}.",
    "check_fields": "Revise los campos marcados.",
    "no_text": "Escriba la descripción para sugerir una categoría.",
}


class NewCaseForm(StaffForm):
    type = SelectField("Tipo de caso", validators=[DataRequired(REQUIRED)])
    channel = SelectField("Cómo llegó", validators=[DataRequired(REQUIRED)])
    description = TextAreaField(
        "Descripción",
        validators=[DataRequired(REQUIRED), Length(max=MAX_DESCRIPTION)],
        render_kw={"rows": 6},
    )
    category = SelectField("Categoría", validators=[Optional()])
    address = StringField("Dirección del problema", validators=[Optional(), Length(max=300)])
    name = StringField("Nombre y apellidos", validators=[Optional(), Length(max=200)])
    rut = StringField("RUT", validators=[Optional(), Length(max=12)])
    email = EmailField("Correo electrónico", validators=[Optional(), Length(max=254)])
    phone = StringField("Teléfono", validators=[Optional(), Length(max=20)])
    postal_address = StringField("Dirección postal", validators=[Optional(), Length(max=300)])
    preferred_channel = SelectField("Responder por", validators=[Optional()])
    token = HiddenField()


def _form() -> NewCaseForm:
    form = NewCaseForm()
    form.type.choices = [("", "Elija un tipo"), *labels.TYPE_LABELS.items()]
    form.channel.choices = [(c, labels.CHANNEL_LABELS[c]) for c in STAFF_CHANNELS]
    categories = (
        db()
        .scalars(select(Category).where(Category.active.is_(True)).order_by(Category.name))
        .all()
    )
    form.category.choices = [("", "Sin categoría"), *((c.code, c.name) for c in categories)]
    form.preferred_channel.choices = [
        ("", "El mismo canal (o correo)"),
        ("email", labels.CHANNEL_LABELS["email"]),
        ("whatsapp", labels.CHANNEL_LABELS["whatsapp"]),
    ]
    if not form.token.data:
        form.token.data = secrets.token_urlsafe(16)
    return form


def _new_case(form: NewCaseForm) -> NewCase:
    return NewCase(
        type=form.type.data or "",
        channel=form.channel.data or "",
        description=form.description.data or "",
        category=form.category.data or None,
        address=form.address.data or None,
        contact=ContactData(
            name=form.name.data,
            email=form.email.data,
            phone=form.phone.data,
            rut=form.rut.data,
            postal_address=form.postal_address.data,
            preferred_channel=form.preferred_channel.data or None,
        ),
        idempotency_key=f"staff:{form.token.data}",
    )


def _suggestion(source: ModelSource, text: str) -> ThemeSuggestion | None:
    text = text.strip()
    if not text or len(text) > MAX_DESCRIPTION:
        return None
    return suggest(source, text)


def _suggest_on_page(form: NewCaseForm) -> ResponseReturnValue:
    """The «Sugerir categoría» button (works without JavaScript): nothing is filed."""
    session = db()
    source = model_source(session)
    session.commit()  # the model is fitted, if at all, outside the transaction
    suggestion = _suggestion(source, form.description.data or "")
    if suggestion and suggestion.category and not form.category.data:
        form.category.data = suggestion.category
    return render_template("cases/new.html", form=form, suggestion=suggestion, suggested=True)


@bp.post("/nuevo/tema")
@requires("cases.file")
def suggest_theme() -> ResponseReturnValue:
    """The suggestion as JSON, for the form's script while staff type the description."""
    text = request.form.get("description", "")
    if not text.strip() or len(text) > MAX_DESCRIPTION:
        return error_response(422, "invalid_field", MESSAGES["no_text"])
    session = db()
    with session.begin():
        source = model_source(session)
    suggestion = _suggestion(source, text)
    assert suggestion is not None
    return jsonify(suggestion.as_dict())


@bp.route("/nuevo", methods=["GET", "POST"])
@requires("cases.file")
def new() -> ResponseReturnValue:
    form = _form()
    if request.method == "POST" and request.form.get("sugerir"):
        return _suggest_on_page(form)
    if not form.validate_on_submit():
        status = 400 if form.errors else 200
        return render_template("cases/new.html", form=form), status
    session = db()
    actor = Actor(current_user.name, current_user.id, current_user.role)
    try:
        case, _created = file_case(session, _new_case(form), calendar(), actor=actor)
        session.commit()
    except InvalidField as exc:
        session.rollback()
        apply_field_errors(form, exc.fields)
        flash(MESSAGES["check_fields"], "error")
        return render_template("cases/new.html", form=form), 400
    log.info("case filed by staff folio=%s user_id=%s", case.folio, current_user.id)
    flash(
        MESSAGES["filed"].format(folio=case.folio, due=due_date_display(case.due_date)), "success"
    )
    return redirect(url_for("cases.detail", folio=case.folio), code=303)
