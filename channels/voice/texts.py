"""Every sentence the phone line says on its own, and the words it listens for.

The rest of a call is the bot's own responses (bot/*.yml), made speakable by speech.py. Placeholders
in braces are filled by the TwiML builders (twiml.py) and the SMS offer (sms.py).
"""

from __future__ import annotations

from collections.abc import Mapping

# Words callers of a Chilean municipality say that a generic recogniser tends to miss.
SPEECH_HINTS = (
    "reclamo, sugerencia, felicitación, consulta, folio, estado de mi caso, transparencia, "
    "información pública, solicitud de información, hablar con una persona, funcionario, "
    "basura, camión de la basura, microbasural, escombros, luminaria, poste de luz, alumbrado, "
    "bache, vereda, calzada, semáforo, ruidos molestos, perros sueltos, áreas verdes, poda, "
    "plaza, junta de vecinos, municipalidad, OIRS, RUT, arroba, gmail, hotmail, punto cl, "
    "sí, no, correcto, corregir, cancelar"
)

TEXTS: Mapping[str, str] = {
    "greeting": (
        "Hola, se ha comunicado con la {municipality}. Le atiende un asistente automatizado."
    ),
    "notice": (
        "Aviso de protección de datos: guardamos los datos que usted nos entregue y el registro "
        "de esta llamada solo para tramitar y responder su caso, durante el plazo que fija la "
        "normativa. Puede pedir acceso, corrección o eliminación de sus datos. "
        "La política completa está en el sitio web municipal."
    ),
    "menu": (
        "Dígame en pocas palabras qué necesita, o marque: 1 para un reclamo; "
        "2 para el estado de un caso; 3 para información pública o transparencia; "
        "0 para hablar con una persona."
    ),
    "menu_keys": (
        "Puede usar el teclado del teléfono. Marque 1 para un reclamo; 2 para el estado de un "
        "caso; 3 para información pública o transparencia; 0 para hablar con una persona."
    ),
    "options_intro": "Puede decir la opción o marcar su número.",
    "option": "Opción {number}: {title}.",
    "option_person": "Para hablar con una persona, marque 0.",
    "reprompt": "Disculpe, no le escuché bien. ¿Podría repetirlo?",
    "keys_intro": "Sigo sin entenderle.",
    "transfer": "Le comunico con una persona de la municipalidad. Por favor, espere en línea.",
    "voicemail": (
        "En este momento no hay personas disponibles: el horario de atención telefónica es "
        "{hours}. Deje su mensaje después del tono, con su nombre y su consulta, y presione "
        "la tecla gato al terminar. Le llamaremos de vuelta."
    ),
    "voicemail_short": (
        "Si lo desea, deje su mensaje después del tono, con su nombre y su consulta, y presione "
        "la tecla gato al terminar."
    ),
    "voicemail_empty": "No recibimos su mensaje. Puede llamarnos nuevamente cuando lo desee.",
    "voicemail_filed": (
        "Su mensaje quedó registrado con el folio {folio}. Una persona de la municipalidad le "
        "llamará de vuelta. Gracias por comunicarse."
    ),
    "queue_failed": "No pudimos comunicarle con una persona.",
    "sms_offer": (
        "¿Desea que le enviemos el folio por mensaje de texto a este teléfono? "
        "Diga sí o marque 1; para no, marque 2."
    ),
    "sms_sent": "Listo, le enviamos el folio por mensaje de texto.",
    "sms_declined": "Entendido, no le enviaremos mensaje.",
    "sms_body": (
        "{municipality}: su caso quedó registrado con el folio {folio}. Para saber cómo va, "
        "llámenos y diga «estado de un caso»."
    ),
    "anything_else": "¿Le puedo ayudar en algo más?",
    "goodbye": "Gracias por comunicarse. Hasta luego.",
    "error": (
        "Disculpe, tenemos un problema técnico. Por favor, intente nuevamente en unos minutos."
    ),
    "hours_unknown": "de lunes a viernes en horario de oficina",
    # a number over OIRS_VOICE_RATE_PER_CALLER (channels/ratelimit.py) hears this and the call ends
    "rate_limited": (
        "Hemos recibido muchas llamadas seguidas desde su número. "
        "Por favor, vuelva a llamar en unos minutos. Hasta luego."
    ),
}
