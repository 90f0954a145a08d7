"""The Oficina de Transparencia's screens for access requests (Ley 20.285)."""

from __future__ import annotations

from admin.auth.web import staff_blueprint

bp = staff_blueprint("sai", __name__, url_prefix="/transparencia")

from admin.sai import views  # noqa: E402,F401  (routes register on bp)
