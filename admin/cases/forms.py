"""Forms of the case page: workflow actions, internal notes and the answer to the resident."""

from __future__ import annotations

from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from admin.auth.forms import StaffForm
from oirs.outbox.replies import MAX_REPLY

REQUIRED = "Este campo es obligatorio."
TOO_LONG = "El texto es demasiado largo (máximo {max} caracteres)."
MAX_NOTE = 5000

# Actions whose note is the substance of the step, so it may not be empty.
NOTE_REQUIRED = {
    "responder_unidad": "Escriba la respuesta de la unidad.",
    "devolver": "Indique por qué devuelve el caso a la unidad.",
    "reabrir": "Indique por qué se reabre el caso.",
}
# What the note is, for actions where it is more than a comment.
NOTE_LABELS = {
    "responder_unidad": "Respuesta de la unidad",
    "devolver": "Motivo de la devolución",
    "reabrir": "Motivo de la reapertura",
    "derivar": "Instrucciones para la unidad",
}


class ActionForm(StaffForm):
    note = TextAreaField(
        "Comentario", validators=[Optional(), Length(max=MAX_NOTE, message=TOO_LONG)]
    )
    unit = SelectField("Unidad de destino", validators=[Optional()], validate_choice=False)
    category = SelectField("Categoría", validators=[Optional()], validate_choice=False)

    def check(self, action: str, unit_codes: set[str]) -> bool:
        """Field rules that depend on the action; True when the form can be used."""
        ok = self.validate()
        if action in NOTE_REQUIRED and not (self.note.data or "").strip():
            self.note.errors = [*self.note.errors, NOTE_REQUIRED[action]]
            ok = False
        if action == "derivar" and self.unit.data not in unit_codes:
            self.unit.errors = [*self.unit.errors, "Elija la unidad a la que deriva el caso."]
            ok = False
        return ok


class NoteForm(StaffForm):
    body = TextAreaField(
        "Nota interna",
        validators=[DataRequired(REQUIRED), Length(max=MAX_NOTE, message=TOO_LONG)],
    )


class ContactForm(StaffForm):
    name = StringField("Nombre", validators=[Optional(), Length(max=200)])
    email = StringField("Correo electrónico", validators=[Optional(), Length(max=254)])
    phone = StringField("Teléfono", validators=[Optional(), Length(max=20)])
    rut = StringField("RUT", validators=[Optional(), Length(max=12)])
    postal_address = StringField("Dirección postal", validators=[Optional(), Length(max=300)])
    preferred_channel = SelectField(
        "Responder por",
        choices=[
            ("", "El canal por el que llegó"),
            ("email", "Correo electrónico"),
            ("whatsapp", "WhatsApp"),
            ("telegram", "Telegram"),
        ],
        validators=[Optional()],
    )


class ReplyForm(StaffForm):
    body = TextAreaField(
        "Respuesta al vecino o vecina",
        validators=[DataRequired(REQUIRED), Length(max=MAX_REPLY, message=TOO_LONG)],
        render_kw={"rows": 12},
    )
    preview = SubmitField("Vista previa")
    send = SubmitField("Responder")
