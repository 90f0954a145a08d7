"""The blueprints create_app registers, in order: one per area, each imported by name.

URL prefixes are set on each blueprint (`/casos`, `/api/v1`, `/open311/v2`…); create_app imports
this module inside the factory, so importing `admin` alone loads no area.
"""

from __future__ import annotations

from flask import Blueprint

from admin import health, privacy_notice, twilio_status
from admin.api import bp as api
from admin.auth import bp as auth
from admin.cases import bp as cases
from admin.console import bp as console
from admin.open311 import bp as open311
from admin.privacy_ui import bp as privacy_ui
from admin.sai import bp as sai
from admin.settings_ui import bp as settings_ui
from admin.stats import bp as stats
from admin.widget import bp as widget

BLUEPRINTS: list[Blueprint] = [
    health.bp,
    api,
    auth,
    cases,
    settings_ui,
    open311,
    console,
    sai,
    stats,
    widget,
    twilio_status.bp,
    privacy_ui,
    privacy_notice.bp,
]
