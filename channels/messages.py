"""Channel-level texts residents see (everything else the bot says lives in Rasa responses)."""

OPTIONS_HINT = "Responda con el número de la opción que prefiera."
ATTACHMENT_FAILED = (
    "No pudimos recibir su archivo. Por favor, inténtelo nuevamente en unos minutos."
)
# Told once per window to a resident whose messages went over OIRS_WEBHOOK_RATE_PER_SENDER
# (channels/ratelimit.py); the messages over the limit do not reach the bot.
RATE_LIMITED = "Recibimos muchos mensajes seguidos. Espere un momento y vuelva a escribir."

# What the channel tells Rasa when the resident sent no words, only a medium or a place.
# The bot's domain declares these intents; the data travels in the message metadata.
INTENT_ATTACHMENT = "/enviar_adjunto"
INTENT_LOCATION = "/compartir_ubicacion"
INTENT_CONTACT = "/compartir_contacto"
INTENT_START = "/saludo"
INTENT_STATUS = "/consultar_estado"
