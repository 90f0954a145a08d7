"""Blueprints create_app registers, as "module:attribute" (one line per area, in order)."""

from __future__ import annotations

BLUEPRINTS: list[str] = [
    "admin.auth:bp",
    "admin.cases:bp",
    "admin.settings_ui:bp",
    "admin.open311:bp",
    "admin.console:bp",
    "admin.sai:bp",
    "admin.stats:bp",
    "admin.widget:bp",
    "admin.twilio_status:bp",
    "admin.privacy_ui:bp",
    "admin.privacy_notice:bp",
]
