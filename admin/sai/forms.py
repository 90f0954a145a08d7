"""Forms of the SAI screen, one per step, with the Spanish messages staff read."""

from __future__ import annotations

from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from admin.auth.forms import StaffForm
from oirs.sai.catalog import AMPARO_OUTCOMES, AMPARO_STEPS, ART12_ITEMS, DENIAL_CAUSES
from oirs.sai.procedure import MIN_REASONS

REQUIRED = "Este campo es obligatorio."
TOO_LONG = "El texto es demasiado largo (máximo {max} caracteres)."
DATE = "Indique una fecha válida (AAAA-MM-DD)."
REASONS = f"Fundamente con al menos {MIN_REASONS} caracteres."
MAX_TEXT = 10_000
CAUSES = [("", "Elija la causal"), *DENIAL_CAUSES.items()]


def _text(label: str, required: bool = True, min_length: int = 0) -> TextAreaField:
    rules = [DataRequired(REQUIRED)] if required else [Optional()]
    rules.append(Length(min=min_length, max=MAX_TEXT, message=REASONS if min_length else TOO_LONG))
    return TextAreaField(label, validators=rules)


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class NoteForm(StaffForm):
    note = _text("Comentario (opcional)", required=False)


class SubsanacionForm(StaffForm):
    missing = CheckboxesField(
        "Datos que faltan (art. 12)",
        choices=list(ART12_ITEMS.items()),
        validators=[DataRequired("Marque al menos un dato que falte.")],
    )
    note = _text("Indicaciones para el solicitante (opcional)", required=False)


class DerivacionForm(StaffForm):
    body = StringField("Organismo competente", validators=[DataRequired(REQUIRED), Length(max=300)])
    body_email = EmailField(
        "Correo del organismo (opcional)",
        validators=[Optional(), Email("El correo electrónico no es válido.")],
    )
    reasons = _text("Por qué la información corresponde a ese organismo")


class AsignacionForm(StaffForm):
    unit = SelectField("Unidad que reúne la información", validators=[DataRequired(REQUIRED)])


class TercerosForm(StaffForm):
    parties = _text("Terceros a notificar: uno por línea, «nombre; dirección o correo»")


class RespuestaTerceroForm(StaffForm):
    party = SelectField("Tercero", coerce=int, validators=[InputRequired(REQUIRED)])
    opposed = RadioField(
        "Respuesta",
        choices=[("si", "Se opone a la entrega"), ("no", "No se opone")],
        validators=[InputRequired(REQUIRED)],
    )
    answered_on = DateField("Fecha de la respuesta", validators=[InputRequired(DATE)])
    note = _text("Comentario (opcional)", required=False)


class ProrrogaForm(StaffForm):
    reasons = _text("Motivos de la prórroga (se comunican al solicitante)", min_length=MIN_REASONS)


class EntregaForm(StaffForm):
    answer = _text("Respuesta al solicitante")
    files = MultipleFileField("Archivos con la información (opcional)")


class EntregaParcialForm(EntregaForm):
    cause = SelectField("Causal de la parte no entregada", choices=CAUSES)
    reasons = _text("Fundamento de la reserva parcial", min_length=MIN_REASONS)


class DenegacionForm(StaffForm):
    cause = SelectField("Causal (art. 21)", choices=CAUSES)
    reasons = _text("Fundamento de la denegación", min_length=MIN_REASONS)


class InexistenciaForm(StaffForm):
    reasons = _text("Búsqueda realizada y por qué no existe", min_length=MIN_REASONS)


class TransparenciaActivaForm(StaffForm):
    link = URLField(
        "Enlace exacto donde está publicada",
        validators=[DataRequired(REQUIRED), URL(message="Indique un enlace válido (https://…).")],
    )
    note = _text("Comentario para el solicitante (opcional)", required=False)


class PagoForm(StaffForm):
    amount = IntegerField(
        "Monto de los costos de reproducción (pesos)",
        validators=[
            InputRequired("Indique el monto en pesos."),
            NumberRange(min=1, message="El monto debe ser mayor que cero."),
        ],
    )
    detail = _text("Detalle de los costos directos de reproducción (art. 18)")


class PagoRecibidoForm(StaffForm):
    paid_on = DateField("Fecha de pago", validators=[InputRequired(DATE)])


class AmparoForm(StaffForm):
    rol = StringField(
        "Rol del amparo en el Consejo", validators=[DataRequired(REQUIRED), Length(max=40)]
    )
    filed_on = DateField("Fecha de presentación", validators=[InputRequired(DATE)])
    note = _text("Comentario (opcional)", required=False)


class AmparoEtapaForm(StaffForm):
    amparo = SelectField("Amparo", coerce=int, validators=[InputRequired(REQUIRED)])
    kind = SelectField(
        "Etapa",
        choices=[
            ("", "Elija la etapa"),
            *((k, v) for k, v in AMPARO_STEPS.items() if k != "presentado"),
        ],
    )
    happened_on = DateField("Fecha", validators=[InputRequired(DATE)])
    outcome = SelectField(
        "Decisión del Consejo (solo etapa «decisión»)",
        choices=[("", "—"), *AMPARO_OUTCOMES.items()],
        validators=[Optional()],
    )
    due = DateField("Plazo que fija el Consejo (opcional)", validators=[Optional()])
    note = _text("Comentario (opcional)", required=False)
