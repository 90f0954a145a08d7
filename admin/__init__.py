"""Flask admin: app factory, one blueprint per area, no work at import time."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from oirs.settings import Settings


class DatabaseId(IntegerConverter):
    """`<int:…>` in every route: a non-negative number that fits an INTEGER id column
    (PostgreSQL's 32 bits; SQLite would take 64 and PostgreSQL refuse the query)."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the admin app around one typed Settings object."""
    from admin import database, errors, logs, security, startup
    from admin.blueprints import BLUEPRINTS

    settings = settings or Settings.from_env()
    # beyond localhost: a real secret or no start, and cookies over https only
    exposed = startup.check_exposure(settings, startup.served_binds(settings))
    app = Flask(__name__)
    # ids are INTEGER columns: a larger number in a URL is a 404, not a 500 from the driver
    app.url_map.converters["int"] = DatabaseId
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=25 * 1024 * 1024,
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production or exposed,
        **overrides,
    )
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if settings.proxies:
        # Behind nginx the client is in X-Forwarded-For: without this every resident and
        # staff member would share the proxy's address, and with it the login and widget
        # rate limits. Only the last `proxies` hops are trusted, so a client cannot forge it.
        n = settings.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.extensions["oirs_settings"] = settings
    logs.configure(app)
    database.init_app(app, settings)
    errors.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    security.init_app(app, settings)
    return app
