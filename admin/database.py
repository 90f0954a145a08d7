"""One engine per app, one session per request; handlers own their transactions."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from oirs.calendar.business_days import BusinessCalendar
from oirs.calendar.terms import load_calendar
from oirs.db import make_engine, make_session_factory
from oirs.settings import Settings


def init_app(app: Flask, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    app.extensions["oirs_engine"] = engine
    app.extensions["oirs_sessions"] = make_session_factory(engine)

    @app.teardown_appcontext
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.close()


def settings() -> Settings:
    """The app's Settings."""
    value: Settings = current_app.extensions["oirs_settings"]
    return value


def session_factory() -> sessionmaker[Session]:
    factory: sessionmaker[Session] = current_app.extensions["oirs_sessions"]
    return factory


def db() -> Session:
    """The request's session (opened lazily)."""
    if "db" not in g:
        g.db = session_factory()()
    session: Session = g.db
    return session


def calendar() -> BusinessCalendar:
    """The commune's business-day calendar with admin-added days."""
    return load_calendar(db(), settings().commune.comuna)
