"""The agent console: the live queue of handed-off conversations, answering residents through
their channel with suggested replies, filing cases for them, and handing back to the bot."""

from __future__ import annotations

from admin.auth.web import staff_blueprint

bp = staff_blueprint("console", __name__, url_prefix="/consola")

from admin.console import filing, stream, views  # noqa: E402,F401  (routes register on bp)
