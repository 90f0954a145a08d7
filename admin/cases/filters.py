"""Inbox filters read from the query string, and the query they build."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from wtforms import IntegerField, SearchField, SelectField
from wtforms.validators import NumberRange, Optional

from admin.auth.forms import StaffForm
from admin.auth.users import StaffUser
from oirs import labels
from oirs.cases import workflow
from oirs.cases.folios import parse_folio
from oirs.models import Case, Category, Unit
from oirs.privacy.contact import normalise_rut

OPEN = "abiertos"
ALL = "todos"
SORTS: dict[str, tuple[Any, ...]] = {
    "vencimiento": (Case.due_date.asc(), Case.id.asc()),
    "-vencimiento": (Case.due_date.desc(), Case.id.desc()),
    "ingreso": (Case.created_at.desc(), Case.id.desc()),
}


class InboxForm(StaffForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = SearchField("Buscar", validators=[Optional()])
    tipo = SelectField("Tipo", validators=[Optional()])
    estado = SelectField("Estado", validators=[Optional()])
    unidad = SelectField("Unidad", validators=[Optional()])
    canal = SelectField("Canal", validators=[Optional()])
    categoria = SelectField("Categoría", validators=[Optional()])
    plazo = SelectField(
        "Plazo",
        choices=[("", "Todos"), ("vencidos", "Vencidos"), ("semana", "Vencen esta semana")],
        validators=[Optional()],
    )
    orden = SelectField(
        "Ordenar por",
        choices=[
            ("vencimiento", "Vencimiento más próximo"),
            ("-vencimiento", "Vencimiento más lejano"),
            ("ingreso", "Ingreso más reciente"),
        ],
        validators=[Optional()],
    )
    pagina = IntegerField(
        "Página", validators=[Optional(), NumberRange(min=1, message="Página no válida.")]
    )


def build_form(units: list[Unit], categories: list[Category], args: object) -> InboxForm:
    form = InboxForm(formdata=args)
    form.tipo.choices = [("", "Todos"), *labels.TYPE_LABELS.items()]
    statuses = [(k, v) for k, v in labels.STATUS_LABELS.items()]
    form.estado.choices = [(OPEN, "Abiertos (sin responder)"), (ALL, "Todos"), *statuses]
    form.unidad.choices = [("", "Todas"), *((u.code, u.name) for u in units)]
    form.canal.choices = [("", "Todos"), *labels.CHANNEL_LABELS.items()]
    form.categoria.choices = [("", "Todas"), *((c.code, c.name) for c in categories)]
    return form


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_clause(text: str, full_contact: bool) -> object:
    """Folio, RUT (only for roles that see it), or words in name, description and address."""
    folio = parse_folio(text)
    if folio is not None:
        return Case.folio == str(folio)
    if full_contact and any(ch.isdigit() for ch in text):
        rut = normalise_rut(text)
        if rut is not None:
            return Case.contact_rut == rut
    pattern = _like(text)
    return or_(
        Case.folio.ilike(pattern, escape="\\"),
        Case.contact_name.ilike(pattern, escape="\\"),
        Case.description.ilike(pattern, escape="\\"),
        Case.address.ilike(pattern, escape="\\"),
    )


def visible_cases(user: StaffUser) -> Select[tuple[Case]]:
    """Unit responders see only their unit's cases; every other role reads them all."""
    query = select(Case)
    if user.role == "unit":
        query = query.where(Case.unit_id == (user.unit_id or -1))
    return query


def apply(
    query: Select[tuple[Case]], form: InboxForm, today: date, full_contact: bool
) -> Select[tuple[Case]]:
    """Narrow the query by every filter the user chose."""
    data = form.data
    if data["tipo"]:
        query = query.where(Case.type == data["tipo"])
    status = data["estado"] or OPEN
    if status == OPEN:
        query = query.where(Case.status.not_in(workflow.ANSWERED_STATUSES))
    elif status != ALL:
        query = query.where(Case.status == status)
    if data["unidad"]:
        query = query.where(Case.unit.has(Unit.code == data["unidad"]))
    if data["canal"]:
        query = query.where(Case.channel == data["canal"])
    if data["categoria"]:
        query = query.where(Case.category.has(Category.code == data["categoria"]))
    open_only = Case.status.not_in(workflow.ANSWERED_STATUSES)
    if data["plazo"] == "vencidos":
        query = query.where(and_(open_only, Case.due_date < today))
    elif data["plazo"] == "semana":
        sunday = today + timedelta(days=6 - today.weekday())
        query = query.where(and_(open_only, Case.due_date >= today, Case.due_date <= sunday))
    text = (data["q"] or "").strip()[:200]
    if text:
        query = query.where(search_clause(text, full_contact))  # type: ignore[arg-type]
    return query


def ordered(query: Select[tuple[Case]], sort: str | None) -> Select[tuple[Case]]:
    return query.order_by(*SORTS.get(sort or "", SORTS["vencimiento"]))


def count(query: Select[tuple[Case]]) -> Select[tuple[int]]:
    return select(func.count()).select_from(query.order_by(None).subquery())
