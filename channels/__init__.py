"""Rasa input/output channels of the residents: WhatsApp (Twilio), Telegram; mounted by credentials.yml."""
