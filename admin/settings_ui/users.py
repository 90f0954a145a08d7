"""Staff accounts: create, change role or unit, deactivate, reset a password, unlock."""

from __future__ import annotations

import logging

from flask import current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from admin.auth.labels import ROLE_LABELS
from admin.auth.login import account_name
from admin.auth.permissions import requires
from admin.auth.throttle import login_throttle
from admin.database import db
from admin.settings_ui import bp
from admin.settings_ui.forms import ResetPasswordForm, UserForm
from admin.settings_ui.screens import Row, Screen, apply_field_errors, render_edit, render_list
from oirs.accounts import create_user, hash_password
from oirs.errors import InvalidField
from oirs.models import Unit, User

log = logging.getLogger(__name__)
FIELDS = ["email", "name", "role", "unit", "active", "password"]
MESSAGES = {
    "created": "Usuario creado.",
    "saved": "Cambios guardados.",
    "password_needed": "Indique una contraseña inicial.",
    "unit_needed": "Un usuario de unidad debe pertenecer a una unidad.",
    "self": "No puede quitarse el rol de administración ni desactivar su propia cuenta.",
    "reset": "Contraseña cambiada; las sesiones abiertas de esa persona se cerraron.",
    "unlocked": "Cuenta desbloqueada.",
}


def _form(form: UserForm) -> UserForm:
    units = db().scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)).all()
    form.role.choices = [("", "Elija un rol"), *ROLE_LABELS.items()]
    form.unit.choices = [("", "Sin unidad"), *((u.code, u.name) for u in units)]
    return form


def _held_back(user: User) -> bool:
    """Does the login throttle refuse some address on this account now?"""
    throttle = login_throttle(current_app)
    return throttle is not None and throttle.held_back(account_name(user.email))


def _release(user: User) -> None:
    """Forget the login throttle's count on this account, for every address."""
    throttle = login_throttle(current_app)
    if throttle is not None:
        throttle.release(account_name(user.email))


def _state(user: User) -> str:
    if not user.active:
        return "Desactivada"
    if _held_back(user):
        return "Retenida por intentos fallidos"
    return "Activa"


def _screen(form: UserForm) -> Screen:
    users = db().scalars(select(User).order_by(User.name)).all()
    rows = [
        Row(
            [
                u.name,
                u.email,
                ROLE_LABELS.get(u.role, u.role),
                u.unit.name if u.unit else "—",
                _state(u),
            ],
            url_for("settings_ui.edit_user", user_id=u.id),
        )
        for u in users
    ]
    return Screen(
        "Usuarios",
        ["Nombre", "Correo", "Rol", "Unidad", "Cuenta"],
        rows,
        form,
        FIELDS,
        "Crear usuario",
        "Nuevo usuario",
        hints={"password": "Al menos 12 caracteres. Entréguela a la persona por un medio seguro."},
    )


@bp.route("/usuarios", methods=["GET", "POST"])
@requires("settings.manage")
def users() -> ResponseReturnValue:
    form = _form(UserForm())
    if not form.validate_on_submit():
        return render_list(_screen(form), 400 if form.errors else 200)
    if not form.password.data:
        form.password.errors = [MESSAGES["password_needed"]]
        return render_list(_screen(form), 400)
    session = db()
    try:
        user = create_user(
            session,
            form.email.data or "",
            (form.name.data or "").strip(),
            form.role.data or "",
            form.password.data,
            form.unit.data or None,
        )
    except InvalidField as exc:
        session.rollback()
        apply_field_errors(form, exc.fields)
        return render_list(_screen(form), 400)
    user.active = bool(form.active.data)
    session.commit()
    log.info("settings user created user_id=%s role=%s", user.id, user.role)
    flash(MESSAGES["created"], "success")
    return redirect(url_for("settings_ui.users"), code=303)


def _edit_page(
    user: User, form: UserForm, reset: ResetPasswordForm, status: int = 200
) -> ResponseReturnValue:
    fields = ["email", "name", "role", "unit", "active"]
    return render_edit(
        f"Usuario {user.name}",
        form,
        fields,
        url_for("settings_ui.users"),
        status,
        user=user,
        reset_form=reset,
        locked=user.active and _held_back(user),
    )


@bp.route("/usuarios/<int:user_id>", methods=["GET", "POST"])
@requires("settings.manage")
def edit_user(user_id: int) -> ResponseReturnValue:
    session = db()
    user = session.get(User, user_id)
    if user is None:
        return render_template("error.html", code=404, reason=None), 404
    form = _form(UserForm(obj=user))
    form.email.render_kw = {"readonly": True}
    form.email.data = user.email
    if not form.is_submitted():
        form.unit.data = user.unit.code if user.unit else ""
    reset = ResetPasswordForm(formdata=None)
    if not form.validate_on_submit():
        return _edit_page(user, form, reset, 400 if form.errors else 200)
    unit = (
        session.scalar(select(Unit).where(Unit.code == form.unit.data)) if form.unit.data else None
    )
    if form.role.data == "unit" and unit is None:
        form.unit.errors = [MESSAGES["unit_needed"]]
    if user.id == current_user.id and (form.role.data != "admin" or not form.active.data):
        form.form_errors.append(MESSAGES["self"])
    if form.unit.errors or form.form_errors:
        return _edit_page(user, form, reset, 400)
    user.name = (form.name.data or "").strip() or user.name
    user.role = form.role.data or user.role
    user.unit = unit
    user.active = bool(form.active.data)
    session.commit()
    log.info("settings user updated user_id=%s role=%s active=%s", user.id, user.role, user.active)
    flash(MESSAGES["saved"], "success")
    return redirect(url_for("settings_ui.users"), code=303)


@bp.post("/usuarios/<int:user_id>/contrasena")
@requires("settings.manage")
def reset_password(user_id: int) -> ResponseReturnValue:
    session = db()
    user = session.get(User, user_id)
    if user is None:
        return render_template("error.html", code=404, reason=None), 404
    reset = ResetPasswordForm()
    if not reset.validate():
        form = _form(UserForm(obj=user, formdata=None))
        form.unit.data = user.unit.code if user.unit else ""
        return _edit_page(user, form, reset, 400)
    user.password_hash = hash_password(reset.password.data or "")
    session.commit()
    # the failures counted were against the old password: the new one opens the account now
    _release(user)
    log.info("settings password reset user_id=%s", user.id)
    flash(MESSAGES["reset"], "success")
    return redirect(url_for("settings_ui.edit_user", user_id=user.id), code=303)


@bp.post("/usuarios/<int:user_id>/desbloquear")
@requires("settings.manage")
def unlock_user(user_id: int) -> ResponseReturnValue:
    session = db()
    user = session.get(User, user_id)
    if user is None:
        return render_template("error.html", code=404, reason=None), 404
    _release(user)
    log.info("settings user unlocked user_id=%s", user.id)
    flash(MESSAGES["unlocked"], "success")
    return redirect(url_for("settings_ui.edit_user", user_id=user.id), code=303)
