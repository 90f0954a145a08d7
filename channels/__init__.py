"""Rasa input/output channels of the residents, one module (or package) per channel.

Mounted by credentials.yml: whatsapp.py, telegram.py and the phone line voice/. The web widget is
not here: it is the admin's relay (admin/widget/), which forwards messages to Rasa's REST channel.
"""
