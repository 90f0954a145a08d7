"""Staff sign-in: Flask-Login sessions, argon2 passwords, a throttle by account and address,
CSRF on every form."""

from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask.blueprints import BlueprintSetupState
from flask_login import LoginManager

from admin.auth import filters
from admin.auth.labels import ROLE_LABELS
from admin.auth.web import csrf, staff_blueprint

bp = staff_blueprint("auth", __name__)
login_manager = LoginManager()

# Links of the main menu: (endpoint, label, permission). Areas of other blueprints show
# only when that blueprint is registered.
NAV = [
    ("cases.inbox", "Bandeja de casos", "cases.read"),
    ("console.index", "Consola de atención", "console.use"),
    ("sai.inbox", "Transparencia (SAI)", "sai.manage"),
    ("stats.index", "Estadísticas", "stats.read"),
    ("stats.map_page", "Mapa de reclamos", "stats.read"),
    ("settings_ui.index", "Configuración", "settings.manage"),
]


def _setup(state: BlueprintSetupState) -> None:
    app = state.app
    app.config.setdefault("WTF_CSRF_CHECK_DEFAULT", False)  # checked per staff blueprint
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("WTF_I18N_ENABLED", False)  # WTForms' bundled Spanish messages
    app.config.setdefault("PERMANENT_SESSION_LIFETIME", timedelta(hours=8))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    filters.register(app)
    app.context_processor(_nav)


def _nav() -> dict[str, object]:
    from flask import current_app, request
    from flask_login import current_user

    from admin.auth.permissions import allowed

    links = []
    if current_user.is_authenticated:
        # an area's link is current on its screens, unless the screen has a link of its own
        # (the reclamos map is in the statistics area)
        own = request.endpoint if any(request.endpoint == e for e, _, _ in NAV) else None
        links = [
            (url_for(endpoint), label, endpoint.split(".")[0] if own in (None, endpoint) else None)
            for endpoint, label, permission in NAV
            if endpoint in current_app.view_functions and allowed(permission, current_user.role)
        ]
    role = current_user.role if current_user.is_authenticated else None
    return {
        "nav_links": links,
        "role_labels": ROLE_LABELS,
        "can": lambda permission: allowed(permission, role),
    }


bp.record_once(_setup)

from admin.auth import views  # noqa: E402,F401  (routes register on bp)
