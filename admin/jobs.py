"""Background work on huey: deadline alerts, lapsed subsanaciones, daily digests, anonymisation,
retraining the theme classifier, purging uploads never filed.

Storage is SQLite under var/ by default and Redis when REDIS_URL is set. Run it with
`oirs worker`. Tasks run inside the admin app's context, so they share its settings,
database and mail templates.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab
from oirs_rules.dates import SANTIAGO

from admin.anonymisation import complete_pending
from admin.database import calendar, db, settings
from admin.mail import send_mail
from oirs.calendar.alerting import collect_alerts, staff_emails
from oirs.calendar.alerts import SUPERVISOR
from oirs.calendar.digest import SOON, unit_digests
from oirs.calendar.terms import CALENDAR_DAY_TYPES
from oirs.cases.filing import SYSTEM
from oirs.files.attachments import PENDING_MAX_AGE, purge_stale_uploads
from oirs.models import ThemeModelRun, utcnow
from oirs.privacy.rights import DEFAULT_RETENTION_YEARS, anonymise_expired
from oirs.sai.letters import issue_letter
from oirs.sai.procedure import expire_subsanaciones
from oirs.settings import Settings
from oirs.themes.classifier import FOLDS, evaluate
from oirs.themes.store import load_training_set, needs_training, record_run

SECRETARIA_UNIT = "SECMU"
log = logging.getLogger(__name__)

# Schedules (UTC): alerts every 30 minutes; digests at 11:00 UTC (07:00-08:00 in Chile).
ALERTS_SCHEDULE = {"minute": "*/30"}
DIGEST_SCHEDULE = {"minute": "0", "hour": "11"}
# Ley 21.719 retention: anonymise expired cases at 07:30 UTC (03:30-04:30 in Chile).
ANONYMISE_SCHEDULE = {"minute": "30", "hour": "7"}
RETENTION_ENV = "OIRS_RETENTION_YEARS"
# Theme classifier: retrained at :15 and :45 when staff corrected a theme (or categories changed).
THEMES_SCHEDULE = {"minute": "15,45"}
# Files the widget or a channel received for a case never filed: daily at 08:10 UTC, so the
# disk does not depend on someone having put `oirs purge-uploads` in cron.
PURGE_UPLOADS_SCHEDULE = {"minute": "10", "hour": "8"}
# Typed addresses of new cases placed on the map (oirs/reporting/geocoding.py), never while filing:
# every ten minutes, off the minutes the other tasks start on.
GEOCODE_SCHEDULE = {"minute": "7,17,27,37,47,57"}
GEOCODE_BATCH = 500


def make_huey(app_settings: Settings) -> Huey:
    """Redis when REDIS_URL is set, else a SQLite file in the data directory."""
    if app_settings.redis_url:
        return RedisHuey("oirs", url=app_settings.redis_url)
    app_settings.data_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("oirs", filename=str(app_settings.data_dir / "huey.db"))


def _today(now: datetime | None = None) -> date:
    return (now or utcnow()).astimezone(SANTIAGO).date()


def _render(template: str, **context: object) -> tuple[str, str]:
    """Mail templates carry the subject on their first line (no request: no context processors)."""
    text = current_app.jinja_env.get_template(template).render(
        municipality=settings().commune.name, **context
    )
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")


def run_alerts(now: datetime | None = None) -> int:
    """Send every deadline alert due today, each once; returns how many mails went out."""
    session = db()
    sent = 0
    with session.begin():
        for case in expire_subsanaciones(session, now):
            issue_letter(
                session,
                case,
                case.events[-1],
                settings().commune,
                calendar(),
                settings().data_dir,
                SYSTEM,
                now,
            )
            log.info("subsanacion lapsed folio=%s status=desistida", case.folio)
    today = _today(now)
    with session.begin():
        for item in collect_alerts(session, calendar(), today):
            for alert in item.alerts:
                to = item.recipients.get(alert.audience, ())
                if not to:
                    log.warning(
                        "alert without recipients folio=%s kind=%s", item.case.folio, alert.kind
                    )
                    continue
                subject, body = _render(
                    "mail/alert.txt",
                    case=item.case,
                    percent=round(alert.threshold * 100),
                    overdue=_overdue(item.case.type, alert.reached_on, alert.threshold, today),
                    calendar_days=item.case.type in CALENDAR_DAY_TYPES,
                    escalation=alert.audience == SUPERVISOR,
                    link=f"{settings().public_url}/casos/{item.case.folio}",
                )
                send_mail(settings(), to, subject, body)
                sent += 1
    return sent


def _overdue(case_type: str, reached_on: date, threshold: float, today: date) -> int:
    """Days past the due date when the expiry alert goes out late (0 when sent on the day)."""
    if threshold < 1.0 or today <= reached_on:
        return 0
    if case_type in CALENDAR_DAY_TYPES:
        return (today - reached_on).days
    return calendar().business_days_between(reached_on, today)


def run_digests(now: datetime | None = None) -> int:
    """One digest per unit with open cases and one for the Secretaría Municipal."""
    session = db()
    today = _today(now)
    sent = 0
    with session.begin():
        digests = unit_digests(session, calendar(), today)
        common = {"today": today, "soon": SOON, "base_url": settings().public_url}
        for digest in digests:
            to = sorted(staff_emails(session, digest.unit.code, "unit"))
            if to:
                subject, body = _render("mail/digest_unit.txt", digest=digest, **common)
                send_mail(settings(), to, subject, body)
                sent += 1
        to = sorted(staff_emails(session, SECRETARIA_UNIT, "supervisor"))
        if to:
            subject, body = _render("mail/digest_secretaria.txt", digests=digests, **common)
            send_mail(settings(), to, subject, body)
            sent += 1
    return sent


def retention_years(text: str) -> dict[str, int]:
    """Years per case type from OIRS_RETENTION_YEARS ("reclamo=5,sai=5", Settings.retention_years);
    defaults otherwise."""
    years: dict[str, int] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        case_type, _, value = item.partition("=")
        case_type = case_type.strip()
        if case_type not in DEFAULT_RETENTION_YEARS or not value.strip().isdigit():
            raise ValueError(f"{RETENTION_ENV}: entrada inválida {item!r} (use tipo=años)")
        years[case_type] = int(value)
    return {**DEFAULT_RETENTION_YEARS, **years}


def run_anonymise(now: datetime | None = None, years: dict[str, int] | None = None) -> list[str]:
    """Anonymise every closed case past its retention term, then erase their files and
    conversations (and retry those left pending before); returns the folios anonymised."""
    session = db()
    with session.begin():
        years = years or retention_years(settings().retention_years)
        folios = anonymise_expired(session, _today(now), years)
    incomplete = [folio for folio, reach in complete_pending() if reach.failed]
    log.info("anonymised cases=%d incomplete=%d", len(folios), len(incomplete))
    return folios


def run_theme_training(
    force: bool = False,
    threshold: float | None = None,
    keep_fixed: bool = True,
    trigger: str = "job",
    folds: int = FOLDS,
) -> ThemeModelRun | None:
    """Rebuild the theme classifier from seed and staff examples and record its k-fold
    accuracy and threshold; None when nothing changed since the last run (and not forced)."""
    session = db()
    with session.begin():
        if not force and not needs_training(session):
            return None
        training = load_training_set(session)
    # Cross-validation takes seconds: measured outside any transaction.
    evaluation = evaluate(training.examples, training.names, folds)
    with session.begin():
        run = record_run(session, training, evaluation, trigger, threshold, keep_fixed)
    return run


def run_upload_purge(max_age: timedelta = PENDING_MAX_AGE) -> int:
    """Drop the uploads older than `max_age` that no case took; returns how many."""
    session = db()
    with session.begin():
        dropped = purge_stale_uploads(session, settings().data_dir, max_age)
    log.info("uploads purged dropped=%d max_age_days=%d", dropped, max_age.days)
    return dropped


def run_geocoding(limit: int = GEOCODE_BATCH) -> int:
    """Place the cases filed with a typed address and no coordinates; returns how many were
    tried. The street axes are read once per run; the external geocoder has its timeout."""
    from admin.database import session_factory
    from oirs.reporting.geocoding import commune_geocoder, geocode_pending

    current = settings()
    run = geocode_pending(
        session_factory(),
        lambda session: commune_geocoder(
            session, current.geocoder_url, current.geocoder_timeout, current.commune.comuna
        ),
        limit=limit,
    )
    log.info("geocoded cases=%d not_found=%d", run.total, run.not_found)
    return run.total


def register(huey: Huey, app: Flask) -> None:
    """Attach the periodic tasks, each run inside the app context."""

    @huey.periodic_task(crontab(**ALERTS_SCHEDULE), name="oirs.calendar.alerts")
    def alerts_task() -> int:
        with app.app_context():
            return run_alerts()

    @huey.periodic_task(crontab(**DIGEST_SCHEDULE), name="oirs.digests")
    def digests_task() -> int:
        with app.app_context():
            return run_digests()

    @huey.periodic_task(crontab(**ANONYMISE_SCHEDULE), name="oirs.anonymise")
    def anonymise_task() -> int:
        with app.app_context():
            return len(run_anonymise())

    @huey.periodic_task(crontab(**THEMES_SCHEDULE), name="oirs.themes.classifier")
    def themes_task() -> int | None:
        with app.app_context():
            run = run_theme_training()
            return run.id if run else None

    @huey.periodic_task(crontab(**GEOCODE_SCHEDULE), name="oirs.geocode")
    def geocode_task() -> int:
        with app.app_context():
            return run_geocoding()

    @huey.periodic_task(crontab(**PURGE_UPLOADS_SCHEDULE), name="oirs.purge_uploads")
    def purge_uploads_task() -> int:
        with app.app_context():
            return run_upload_purge()


def run_worker(workers: int = 1) -> None:
    """The `oirs worker` process: a huey consumer with the periodic tasks."""
    from admin import create_app

    # a malformed OIRS_RETENTION_YEARS stops the worker now, not at 07:30
    retention_years(Settings.from_env().retention_years)

    app = create_app()
    huey = make_huey(app.extensions["oirs_settings"])
    register(huey, app)
    huey.create_consumer(workers=workers, periodic=True).run()
