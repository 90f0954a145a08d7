"""Admin settings screens: units, categories, deadline rules, holidays, templates, users."""

from __future__ import annotations

from admin.auth.web import staff_blueprint

bp = staff_blueprint("settings_ui", __name__, url_prefix="/configuracion")

from admin.settings_ui import views  # noqa: E402,F401  (routes register on bp)
