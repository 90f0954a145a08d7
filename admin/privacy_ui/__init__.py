"""Data-rights cases (Ley 21.719): show the holder's data on file and export it as JSON."""

from __future__ import annotations

from admin.auth.web import staff_blueprint

bp = staff_blueprint("privacy_ui", __name__, url_prefix="/datos-personales")
bp.template_folder = "templates"

from admin.privacy_ui import views  # noqa: E402,F401
