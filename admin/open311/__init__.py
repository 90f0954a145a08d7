"""Open311 GeoReport v2: reclamo categories as services, reclamos as service requests."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")

from admin.open311 import views  # noqa: E402,F401  (routes register on bp)
