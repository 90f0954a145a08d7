"""Sign in, sign out and change one's own password."""

from __future__ import annotations

import logging
from urllib.parse import unquote, urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from admin.auth import bp, login_manager
from admin.auth.alerts import queue_login_alert
from admin.auth.forms import LoginForm, PasswordForm
from admin.auth.login import attempt_login
from admin.auth.permissions import requires
from admin.auth.throttle import login_throttle
from admin.auth.users import StaffUser, session_key
from admin.database import db, session_factory
from oirs.accounts import hash_password, verify_password
from oirs.models import User, utcnow

log = logging.getLogger(__name__)
MESSAGES = {
    # every refusal alike (wrong password, unknown or disabled account, throttled): it must
    # not tell whether the account exists
    "refused": (
        "No fue posible ingresar. Revise su correo y su contraseña; si el problema sigue, "
        "espere 15 minutos o pida ayuda a la administración del sistema."
    ),
    "logged_out": "Cerró su sesión.",
    "password_changed": "Su contraseña fue cambiada.",
    "wrong_current": "La contraseña actual no es correcta.",
}


@login_manager.user_loader
def load_user(user_id: str) -> StaffUser | None:
    """The session's user, only while active and with the same password and role."""
    raw_id, _, key = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    with session_factory()() as own:  # its own session: views begin theirs explicitly
        user = own.scalar(select(User).options(joinedload(User.unit)).where(User.id == int(raw_id)))
        if user is None or not user.active or session_key(user) != key:
            return None
        return StaffUser.from_model(user)


# What a browser does to a URL before reading it (WHATWG URL standard): it trims C0 controls
# and spaces at both ends, drops tabs and newlines anywhere, and reads "\\" as "/".
_EDGES = "".join(map(chr, range(0x21)))
_DROPPED = str.maketrans("", "", "\t\n\r")


def _as_browser_reads(value: str) -> str:
    return value.strip(_EDGES).translate(_DROPPED).replace("\\", "/")


def _is_local_path(value: str) -> bool:
    """A path on this site: no scheme, no host, no "//" start, no control characters."""
    if not value.startswith("/") or value.startswith("//"):
        return False
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return False
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def _safe_next(target: str | None) -> str:
    """Only local paths, as a browser would read them: never redirect a login to another site.

    Checked as given and once more after one percent-decoding ("/%2F%2Fevil" is "///evil" to
    anything that decodes it before use).
    """
    if target:
        seen = _as_browser_reads(target)
        if _is_local_path(seen) and _is_local_path(_as_browser_reads(unquote(seen))):
            return seen
    return url_for("cases.inbox")


@bp.get("/")
def home() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("cases.inbox"))
    return redirect(url_for("auth.login"))


@bp.route("/ingresar", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    form = LoginForm()
    if current_user.is_authenticated and request.method == "GET":
        return redirect(_safe_next(request.args.get("next")))
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), 400 if form.errors else 200
    session_db = db()
    throttle = login_throttle(current_app)
    address = get_remote_address() or "unknown"
    with session_db.begin():
        result = attempt_login(
            session_db, form.email.data or "", form.password.data or "", address, throttle
        )
        staff = StaffUser.from_model(result.user) if result.user else None
        known_id = result.known.id if result.known is not None else "-"
        if result.alert and result.known is not None:
            queue_login_alert(session_db, result.known, utcnow())
    if staff is None:
        log.info(
            "login refused reason=%s user_id=%s client=%s",
            result.reason,
            known_id,
            throttle.pseudonym("address", address)[:12] if throttle else "-",
        )
        form.form_errors.append(MESSAGES["refused"])
        return render_template("auth/login.html", form=form), 401
    session.clear()
    login_user(staff)
    session.permanent = True
    log.info("login user_id=%s role=%s", staff.id, staff.role)
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/salir")
def logout() -> ResponseReturnValue:
    logout_user()
    session.clear()
    flash(MESSAGES["logged_out"], "info")
    return redirect(url_for("auth.login"))


@bp.route("/cuenta/contrasena", methods=["GET", "POST"])
@requires("account.self")
def change_password() -> ResponseReturnValue:
    form = PasswordForm()
    if not form.validate_on_submit():
        return render_template("auth/password.html", form=form), 400 if form.errors else 200
    session_db = db()
    with session_db.begin():
        user = session_db.get(User, current_user.id)
        if user is None or not verify_password(user, form.current.data or ""):
            form.current.errors = [MESSAGES["wrong_current"]]
            return render_template("auth/password.html", form=form), 400
        user.password_hash = hash_password(form.new.data or "")
        staff = StaffUser.from_model(user)
    login_user(staff)  # the session key changed with the password
    flash(MESSAGES["password_changed"], "success")
    return redirect(url_for("cases.inbox"))
