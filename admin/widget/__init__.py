"""The residents' web widget: one script tag, a demo page, and the few public endpoints
it talks to (messages relayed to Rasa's REST channel, photo uploads, staff replies).

This is the admin's relay, not a Rasa input channel: the other resident channels live in
channels/ and run inside Rasa; the widget's endpoints run in the admin, which forwards each
message to Rasa over loopback.

Why REST through the admin instead of Rasa's socket.io: no client library to ship or keep
in step with python-socketio's protocol version, nothing to keep open through municipal
proxies, reconnecting is just retrying a POST, Rasa stays off the public internet, and
CORS plus rate limits are enforced in one place.
"""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("widget", __name__)

from admin.widget import routes, uploads  # noqa: E402,F401  (routes register on bp)
