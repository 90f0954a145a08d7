"""Spanish labels for case types, statuses and channels (the core's message catalog)."""

from __future__ import annotations

TYPE_LABELS = {
    "reclamo": "Reclamo",
    "sugerencia": "Sugerencia",
    "felicitacion": "Felicitación",
    "consulta": "Consulta",
    "sai": "Solicitud de acceso a la información",
    "datos_personales": "Solicitud sobre datos personales (Ley 21.719)",
}

# Rights a resident may exercise over their personal data (Ley 21.719).
DATA_RIGHTS = {
    "acceso": "Acceso",
    "rectificacion": "Rectificación",
    "supresion": "Supresión",
    "oposicion": "Oposición",
    "portabilidad": "Portabilidad",
    "bloqueo": "Bloqueo",
}

STATUS_LABELS = {
    "ingresado": "Ingresado",
    "clasificado": "Clasificado",
    "derivado": "Derivado a la unidad",
    "en_gestion": "En gestión",
    "respuesta_unidad": "Respuesta de la unidad recibida",
    "validado": "Respuesta validada",
    "respondido": "Respondido",
    "cerrado": "Cerrado",
    "reabierto": "Reabierto",
    "recibida": "Recibida",
    "en_analisis": "En análisis",
    "subsanacion": "Esperando que se completen datos (subsanación)",
    "desistida": "Desistida",
    "derivada": "Derivada a otro organismo",
    "asignada": "Asignada",
    "tercero_notificado": "Terceros notificados",
    "prorrogada": "Plazo prorrogado",
    "entregada": "Información entregada",
    "parcial": "Entrega parcial",
    "denegada": "Denegada",
    "inexistente": "Información inexistente",
    "remitida_ta": "Disponible en Transparencia Activa",
    "pendiente_pago": "Pendiente de pago de costos de reproducción",
    "cerrada": "Cerrada",
    "amparo": "En amparo ante el Consejo para la Transparencia",
}

CHANNEL_LABELS = {
    "whatsapp": "WhatsApp",
    "telegram": "Telegram",
    "web": "Sitio web",
    "voice": "Teléfono",
    "presencial": "Presencial",
    "email": "Correo electrónico",
    "open311": "Open311",
}

ACTION_LABELS = {
    "clasificar": "Clasificar",
    "derivar": "Derivar a unidad",
    "tomar": "Tomar el caso",
    "responder_unidad": "Registrar respuesta de la unidad",
    "devolver": "Devolver a la unidad",
    "validar": "Validar respuesta",
    "responder": "Responder al vecino",
    "cerrar": "Cerrar",
    "reabrir": "Reabrir",
    "analizar": "Iniciar análisis",
    "pedir_subsanacion": "Pedir subsanación",
    "subsanar": "Registrar subsanación",
    "desistir": "Declarar desistida",
    "derivar_organismo": "Derivar a otro organismo (art. 13)",
    "asignar": "Asignar",
    "notificar_tercero": "Notificar a terceros (art. 20)",
    "prorrogar": "Prorrogar plazo (art. 14)",
    "entregar": "Entregar información",
    "entregar_parcial": "Entrega parcial",
    "denegar": "Denegar (art. 21)",
    "declarar_inexistente": "Declarar inexistente",
    "remitir_ta": "Remitir a Transparencia Activa",
    "pedir_pago": "Informar costos de reproducción",
    "registrar_amparo": "Registrar amparo",
}

# Events on a case that are not workflow actions (those read as ACTION_LABELS).
EVENT_LABELS = {
    "filed": "Ingreso del caso",
    "attachment_added": "Archivo adjunto agregado",
    "contacto_corregido": "Corrección de datos de contacto",
    "descripcion_publicada": "Descripción publicada en Open311",
    "publicacion_retirada": "Publicación en Open311 retirada",
    "adhesion": "Adhesión de un vecino",
    "satisfaccion": "Encuesta de satisfacción respondida",
    "llamada_devuelta": "Contacto devuelto al vecino (pedido fuera de horario)",
    "entrega_fallida": "Mensaje no entregado",
    "carta": "Carta emitida",
    "oposicion_tercero": "Oposición de tercero",
    "respuesta_tercero": "Respuesta de tercero",
    "pago_recibido": "Pago recibido",
    "amparo_etapa": "Etapa del amparo",
    "anonymised": "Datos personales anonimizados",
    "anonymisation_incomplete": "Anonimización incompleta (quedó pendiente una parte)",
    "anonymisation_completed": "Anonimización completada",
}


def event_label(kind: str) -> str:
    """How a case's history names an event; the kind itself if nobody gave it a label."""
    return EVENT_LABELS.get(kind) or ACTION_LABELS.get(kind, kind)
