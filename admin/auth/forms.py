"""Login and own-password forms (CSRF-protected by Flask-WTF)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from oirs.accounts import MIN_PASSWORD

REQUIRED = "Este campo es obligatorio."


class StaffForm(FlaskForm):
    """Base of every staff form: WTForms' own messages in Spanish."""

    class Meta:
        locales = ("es_CL", "es")


def apply_field_errors(form: StaffForm, errors: dict[str, str]) -> None:
    """Domain errors (InvalidField.fields, e.g. "contact.rut") shown next to their field."""
    for name, message in errors.items():
        target = getattr(form, name.split(".")[-1], None)
        if target is not None and hasattr(target, "errors"):
            target.errors = [*target.errors, message]
        else:
            form.form_errors.append(message)


class LoginForm(StaffForm):
    email = EmailField("Correo electrónico", validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField("Contraseña", validators=[DataRequired(REQUIRED), Length(max=200)])


class PasswordForm(StaffForm):
    current = PasswordField("Contraseña actual", validators=[DataRequired(REQUIRED)])
    new = PasswordField(
        "Contraseña nueva",
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.",
            ),
        ],
    )
    repeat = PasswordField(
        "Repita la contraseña nueva",
        validators=[DataRequired(REQUIRED), EqualTo("new", "Las contraseñas no coinciden.")],
    )
