"""Statistics and reports for the Secretaría Municipal."""

from __future__ import annotations

from admin.auth.web import staff_blueprint

bp = staff_blueprint("stats", __name__, url_prefix="/estadisticas")

from admin.stats import map as _map  # noqa: E402,F401  (the reclamos map, admin/stats/map.py)
from admin.stats import views  # noqa: E402,F401  (routes register on bp)
