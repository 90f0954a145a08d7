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
