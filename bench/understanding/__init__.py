"""The blind understanding benchmark: scoring (pure) and the runners behind bench/understanding.py.

Modules: `compare` (how a value meets its gold), `metrics` (F1, shares), `sets` (JSON Lines),
one module per set (`nlu`, `themes`, `fields`, `conversations`), `resident` (the adaptive
simulated resident), `transports` (a persona's conversation over REST, WhatsApp, Telegram or
a phone call), `clients` (HTTP with timeouts) and `stack` (the stack it starts itself, with the
stand-ins of Twilio and Telegram).
"""
