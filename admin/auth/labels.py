"""Spanish names of staff roles, as shown in the panel."""

from __future__ import annotations

ROLE_LABELS = {
    "agent": "Call center",
    "oirs": "OIRS",
    "transparency": "Transparencia",
    "unit": "Unidad municipal",
    "supervisor": "Supervisión",
    "admin": "Administración del sistema",
}
