"""Forms of the settings screens, with Spanish messages for every rule."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from admin.auth.forms import StaffForm
from oirs.accounts import MIN_PASSWORD

REQUIRED = "Este campo es obligatorio."
CODE = Regexp(
    r"^[A-Za-z0-9_]+$", message="Use solo letras sin tilde, números y guion bajo, sin espacios."
)
MAX_TEMPLATE = 4000


class UnitForm(StaffForm):
    code = StringField("Código", validators=[DataRequired(REQUIRED), Length(max=40), CODE])
    name = StringField("Nombre", validators=[DataRequired(REQUIRED), Length(max=200)])
    email = EmailField(
        "Correo de la unidad",
        validators=[Optional(), Email("El correo electrónico no es válido."), Length(max=254)],
    )
    active = BooleanField("Activa", default=True)


class CategoryForm(StaffForm):
    code = StringField("Código", validators=[DataRequired(REQUIRED), Length(max=40), CODE])
    name = StringField("Nombre", validators=[DataRequired(REQUIRED), Length(max=200)])
    unit = SelectField("Unidad responsable", validators=[DataRequired(REQUIRED)])
    copy_unit = SelectField("Unidad con copia", validators=[Optional()])
    active = BooleanField("Activa", default=True)


class RuleForm(StaffForm):
    case_type = SelectField("Tipo de caso", validators=[DataRequired(REQUIRED)])
    category = SelectField("Categoría", validators=[Optional()])
    business_days = IntegerField(
        "Días hábiles",
        validators=[
            DataRequired(REQUIRED),
            NumberRange(min=1, max=20, message="Indique entre 1 y 20 días hábiles."),
        ],
    )


class HolidayForm(StaffForm):
    day = DateField("Fecha", validators=[DataRequired("Indique una fecha válida.")])
    reason = StringField("Motivo", validators=[DataRequired(REQUIRED), Length(max=200)])


class TemplateForm(StaffForm):
    code = StringField("Código", validators=[DataRequired(REQUIRED), Length(max=40), CODE])
    name = StringField("Nombre", validators=[DataRequired(REQUIRED), Length(max=200)])
    case_type = SelectField("Tipo de caso", validators=[Optional()])
    body = TextAreaField("Texto", validators=[DataRequired(REQUIRED), Length(max=MAX_TEMPLATE)])
    active = BooleanField("Activa", default=True)


class UserForm(StaffForm):
    email = EmailField(
        "Correo electrónico",
        validators=[DataRequired(REQUIRED), Email("El correo electrónico no es válido.")],
    )
    name = StringField("Nombre", validators=[DataRequired(REQUIRED), Length(max=200)])
    role = SelectField("Rol", validators=[DataRequired(REQUIRED)])
    unit = SelectField("Unidad", validators=[Optional()])
    active = BooleanField("Cuenta activa", default=True)
    password = PasswordField(
        "Contraseña inicial",
        validators=[
            Optional(),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=f"La contraseña debe tener al menos {MIN_PASSWORD} caracteres.",
            ),
        ],
    )


class ResetPasswordForm(StaffForm):
    password = PasswordField(
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
