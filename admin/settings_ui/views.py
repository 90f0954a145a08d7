"""Index of the settings area."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from admin.auth.permissions import requires
from admin.settings_ui import bp


@bp.get("/")
@requires("settings.manage")
def index() -> ResponseReturnValue:
    return render_template("settings/index.html")
