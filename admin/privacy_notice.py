"""The public privacy notice (/privacidad) the bot links to when it starts a conversation.

Ley 21.719 asks the controller to tell residents, when their data is collected, who holds it,
what for, on which basis, who receives it, for how long and how to exercise their rights. The
page is built from this deployment's settings (commune, contact, retention per case type), so
it always states what the system actually does. A commune with its own published policy sets
OIRS_PRIVACY_POLICY_URL to it and the bot links there instead.
"""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from admin.database import settings
from admin.jobs import retention_years
from oirs.labels import DATA_RIGHTS, TYPE_LABELS

bp = Blueprint("privacy_notice", __name__)


@bp.get("/privacidad")
def notice() -> ResponseReturnValue:
    years = retention_years(settings().retention_years)
    retention = [(TYPE_LABELS[case_type], years[case_type]) for case_type in TYPE_LABELS]
    response = render_template(
        "public/privacidad.html",
        commune=settings().commune,
        retention=retention,
        rights=list(DATA_RIGHTS.values()),
    )
    return response, 200, {"Cache-Control": "public, max-age=300"}
