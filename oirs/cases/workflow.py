"""Case workflows as data: the states and allowed transitions of each case type (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass

from oirs.errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]


def _t(action: str, sources: str, target: str, roles: str) -> Transition:
    return Transition(action, frozenset(sources.split()), target, frozenset(roles.split()))


STAFF = "oirs admin"
SAI_STAFF = "transparency admin"

# Reclamo family: reclamo, sugerencia, felicitación, consulta.
RECLAMO_FAMILY: tuple[Transition, ...] = (
    # from clasificado: a theme given at filing may be corrected before deriving
    _t("clasificar", "ingresado clasificado", "clasificado", STAFF),
    _t("derivar", "clasificado", "derivado", STAFF),
    _t("tomar", "derivado", "en_gestion", "unit " + STAFF),
    _t("responder_unidad", "derivado en_gestion", "respuesta_unidad", "unit " + STAFF),
    _t("devolver", "respuesta_unidad", "en_gestion", STAFF),
    _t("validar", "respuesta_unidad", "validado", STAFF),
    _t("responder", "validado", "respondido", STAFF),
    _t("cerrar", "respondido", "cerrado", STAFF),
    _t("reabrir", "respondido cerrado", "reabierto", STAFF + " agent"),
    _t("clasificar", "reabierto", "clasificado", STAFF),
)
# Sugerencias and felicitaciones may be answered right away.
DIRECT_ANSWER = _t("responder", "ingresado clasificado", "respondido", STAFF)

SAI_FINAL = "entregada parcial denegada inexistente remitida_ta pendiente_pago"
SAI_WORKING = "asignada tercero_notificado prorrogada"
SAI: tuple[Transition, ...] = (
    _t("analizar", "recibida", "en_analisis", SAI_STAFF),
    _t("pedir_subsanacion", "en_analisis", "subsanacion", SAI_STAFF),
    _t("subsanar", "subsanacion", "en_analisis", SAI_STAFF),
    _t("desistir", "subsanacion", "desistida", SAI_STAFF),
    _t("derivar_organismo", "en_analisis", "derivada", SAI_STAFF),
    _t("asignar", "en_analisis", "asignada", SAI_STAFF),
    _t("notificar_tercero", "asignada prorrogada", "tercero_notificado", SAI_STAFF),
    _t("prorrogar", "asignada tercero_notificado", "prorrogada", SAI_STAFF),
    _t("entregar", SAI_WORKING + " pendiente_pago", "entregada", SAI_STAFF),
    _t("entregar_parcial", SAI_WORKING, "parcial", SAI_STAFF),
    _t("denegar", SAI_WORKING, "denegada", SAI_STAFF),
    _t("declarar_inexistente", SAI_WORKING, "inexistente", SAI_STAFF),
    _t("remitir_ta", SAI_WORKING, "remitida_ta", SAI_STAFF),
    _t("pedir_pago", SAI_WORKING, "pendiente_pago", SAI_STAFF),
    _t("cerrar", SAI_FINAL + " derivada desistida amparo", "cerrada", SAI_STAFF),
    _t("registrar_amparo", SAI_FINAL + " cerrada", "amparo", SAI_STAFF),
)

INITIAL_STATUS = {
    "reclamo": "ingresado",
    "sugerencia": "ingresado",
    "felicitacion": "ingresado",
    "consulta": "ingresado",
    "sai": "recibida",
    "datos_personales": "ingresado",
}
FINAL_STATUSES = frozenset({"cerrado", "cerrada", "desistida", "derivada"})
ANSWERED_STATUSES = frozenset(
    {"respondido", "cerrado", *SAI_FINAL.split(), "cerrada", "desistida", "derivada", "amparo"}
)


def transitions_for(case_type: str) -> tuple[Transition, ...]:
    """Every transition a case type allows."""
    if case_type == "sai":
        return SAI
    if case_type in ("sugerencia", "felicitacion", "datos_personales"):
        return (*RECLAMO_FAMILY, DIRECT_ANSWER)
    return RECLAMO_FAMILY


def available_actions(case_type: str, status: str, role: str | None = None) -> list[Transition]:
    """The transitions open from `status`, optionally only those `role` may take."""
    return [
        t
        for t in transitions_for(case_type)
        if status in t.sources and (role is None or role in t.roles)
    ]


def next_status(case_type: str, status: str, action: str, role: str | None = None) -> str:
    """Target state of `action` from `status`, or InvalidTransition."""
    for t in available_actions(case_type, status):
        if t.action == action:
            if role is not None and role not in t.roles:
                raise InvalidTransition(f"Su rol no permite la acción «{action}» en este caso.")
            return t.target
    raise InvalidTransition(f"La acción «{action}» no está permitida en el estado «{status}».")


def is_open(status: str) -> bool:
    """A case still waiting for the municipality's answer."""
    return status not in ANSWERED_STATUSES
