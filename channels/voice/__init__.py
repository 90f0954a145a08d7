"""Phone calls through Twilio Voice: signed webhooks in, TwiML out, the same Rasa agent between.

credentials.yml mounts `channels.voice.VoiceInput` at /webhooks/voice/. The parts, in the order
a call meets them:

- webhooks.py     VoiceInput: signature and limits, then Twilio's callback routed to a part
- dialogue.py     greeting, each answer to Rasa and back, recovering from silence
- conversation.py what the Rasa agent knows about the call (intent, folio filed, handoff)
- answers.py      what keys, a yes or a failure to hear mean
- handoff.py      a person in hours (the admin's handoff API), else a voicemail offer
- voicemail.py    the voicemail as a consulta, its recording attached
- sms.py          the folio texted to the caller
- call_state.py   what is remembered between Twilio's requests (ChannelStore, Redis if set)
- twiml.py        pure TwiML builders; texts.py the sentences; speech.py text made speakable
- config.py       VoiceConfig and the TwiML reply; twilio_api.py SMS and recordings at Twilio
- commune.py      the commune's name, asked of the admin (api_client) once
"""

from channels.voice.webhooks import VoiceInput

__all__ = ["VoiceInput"]
