"""Picklists of the SAI procedure (Ley 20.285) with the Spanish labels staff and letters show."""

from __future__ import annotations

# Art. 12: what a request must contain; a subsanación names the items missing.
ART12_ITEMS = {
    "nombre": "Nombre y apellidos del solicitante",
    "direccion": "Dirección postal o correo electrónico para recibir notificaciones",
    "identificacion": "Identificación clara de la información que se solicita",
    "organo": "Órgano administrativo al que se dirige la solicitud",
    "firma": "Firma del solicitante, por cualquier medio habilitado",
}

# Art. 21 (the only causales de secreto o reserva) and art. 20 (a third party's opposition).
DENIAL_CAUSES = {
    "21_1_a": (
        "Art. 21 N°1 letra a): afecta la prevención, investigación o persecución "
        "de un crimen o simple delito"
    ),
    "21_1_b": (
        "Art. 21 N°1 letra b): antecedentes o deliberaciones previas a la adopción "
        "de una resolución, medida o política"
    ),
    "21_1_c": (
        "Art. 21 N°1 letra c): requerimiento de carácter genérico, referido a un elevado "
        "número de actos administrativos, cuya atención distrae indebidamente a los funcionarios"
    ),
    "21_2": (
        "Art. 21 N°2: afecta los derechos de las personas (seguridad, salud, vida privada "
        "o derechos de carácter comercial o económico)"
    ),
    "21_3": "Art. 21 N°3: afecta la seguridad de la Nación",
    "21_4": "Art. 21 N°4: afecta el interés nacional",
    "21_5": (
        "Art. 21 N°5: información declarada reservada o secreta por una ley de quórum calificado"
    ),
    "20_oposicion": "Art. 20: oposición deducida en tiempo y forma por el tercero afectado",
}

# Steps of an amparo before the Consejo para la Transparencia (arts. 24 to 28).
AMPARO_STEPS = {
    "presentado": "Amparo presentado ante el Consejo para la Transparencia",
    "admisible": "Amparo declarado admisible",
    "inadmisible": "Amparo declarado inadmisible",
    "sarc": "Sistema Anticipado de Resolución de Controversias (SARC)",
    "traslado": "Traslado notificado al municipio",
    "descargos": "Descargos y observaciones presentados por el municipio",
    "decision": "Decisión del Consejo",
    "cumplimiento": "Cumplimiento de la decisión informado al Consejo",
    "reclamo_ilegalidad": "Reclamo de ilegalidad ante la Corte de Apelaciones",
    "terminado": "Amparo terminado",
}

AMPARO_OUTCOMES = {
    "acoge": "Acoge el amparo",
    "acoge_parcialmente": "Acoge parcialmente el amparo",
    "rechaza": "Rechaza el amparo",
    "desistimiento": "Desistimiento del reclamante",
}

# Business days the municipality has for its descargos after the traslado (art. 25).
DESCARGOS_DAYS = 10
