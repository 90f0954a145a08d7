"""The `oirs` command: database, users, tokens, demo data and deadline arithmetic."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import click

from oirs.settings import PROJECT_ROOT, ConfigurationError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as exc:
        raise click.ClickException(f"Configuración insegura para producción: {exc}") from exc


def _session(settings: Settings):  # type: ignore[no-untyped-def]
    from oirs.db import make_engine, make_session_factory

    return make_session_factory(make_engine(settings.database_url))()


@click.group(help="OIRS Conversacional: administración desde la línea de comandos.")
def main() -> None:
    from dotenv import load_dotenv

    load_dotenv(PROJECT_ROOT / ".env", override=False)


@main.group(help="Base de datos.")
def db() -> None:
    pass


def alembic_config(settings: Settings):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


@db.command("upgrade", help="Aplica las migraciones pendientes.")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    from alembic import command

    settings = _settings()
    if settings.database_url.startswith("sqlite:///"):
        Path(settings.database_url.removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )
    command.upgrade(alembic_config(settings), revision)
    click.echo("Base de datos al día.")


@main.command("create-user", help="Crea un usuario del personal.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, help="agent, oirs, transparency, unit, supervisor, admin")
@click.option("--unit", "unit_code", default=None, help="Código de la unidad (rol unit).")
@click.password_option("--password", help="Al menos 12 caracteres.")
def create_user_cmd(email: str, name: str, role: str, unit_code: str | None, password: str) -> None:
    from oirs.accounts import create_user
    from oirs.errors import InvalidField

    session = _session(_settings())
    try:
        with session.begin():
            user = create_user(session, email, name, role, password, unit_code)
    except InvalidField as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"Usuario creado: {user.email} ({user.role})")


@main.command(
    "create-token", help="Crea un token de API; se muestra una sola vez en la última línea."
)
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    help="Qué puede hacer el token (repetible): bot (el asistente y los canales), "
    "open311 (un cliente Open311), read (informes y lectura de casos, enmascarada).",
)
def create_token_cmd(name: str, scopes: tuple[str, ...]) -> None:
    from admin.api.tokens import issue_token
    from oirs.models.user import API_SCOPES

    if not scopes:
        raise click.UsageError(
            "Indique el alcance del token con --scope: bot, open311 o read "
            "(por ejemplo: oirs create-token asistente --scope bot)."
        )
    if unknown := sorted(set(scopes) - set(API_SCOPES)):
        raise click.UsageError(
            f"Alcance desconocido: {', '.join(unknown)}. Use bot, open311 o read."
        )

    session = _session(_settings())
    with session.begin():
        token = issue_token(session, name, scopes)
    granted = ", ".join(sorted(set(scopes)))
    click.echo(
        f"Token «{name}» creado (alcance: {granted}). Guárdelo ahora: no se vuelve a mostrar.",
        err=True,
    )
    click.echo(token)


@main.command("seed-demo", help="Carga unidades, categorías y usuarios de demostración.")
def seed_demo_cmd() -> None:
    from oirs.calendar.terms import load_calendar
    from oirs.cases.demo import seed_demo_cases
    from oirs.seed import seed_demo_staff, seed_reference_data

    settings = _settings()
    session = _session(settings)
    with session.begin():
        if seed_reference_data(session):
            click.echo("Unidades y categorías cargadas.")
        if settings.production:
            click.echo("Modo producción: no se crean usuarios de demostración.")
            return
        staff = seed_demo_staff(session)
        folios = seed_demo_cases(session, load_calendar(session, settings.commune.comuna))
    if folios:
        click.echo(f"Casos de demostración: {len(folios)} ({folios[0]} …).")
    if staff:
        click.echo("Usuarios de demostración (las contraseñas se muestran solo esta vez):")
        for email, role, password in staff:
            click.echo(f"  {email:32} {role:13} {password}")


def _parse_start(value: str) -> date | datetime:
    for parse in (date.fromisoformat, datetime.fromisoformat):
        try:
            return parse(value)
        except ValueError:
            continue
    try:
        return datetime.strptime(value, "%d-%m-%Y").date()
    except ValueError as exc:
        raise click.BadParameter("use AAAA-MM-DD o DD-MM-AAAA") from exc


@main.command(
    "deadline", help="Calcula el vencimiento en días hábiles; la fecha ISO va en la última línea."
)
@click.argument("start")
@click.argument("days", type=int)
@click.option("--comuna", default=None, help="Comuna (feriados regionales/comunales).")
@click.option("--explain", is_flag=True, help="Explica cada día contado y omitido.")
@click.option("--no-db", is_flag=True, help="No leer días inhábiles agregados en la base de datos.")
def deadline_cmd(start: str, days: int, comuna: str | None, explain: bool, no_db: bool) -> None:
    from oirs.calendar.business_days import BusinessCalendar
    from oirs.calendar.deadlines import compute_deadline

    settings = _settings()
    comuna = comuna or settings.commune.comuna
    extra = {} if no_db else _extra_days(settings)
    try:
        deadline = compute_deadline(
            _parse_start(start), days, BusinessCalendar(comuna=comuna, extra_days=extra)
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if explain:
        for line in deadline.explain():
            click.echo(line)
    click.echo(deadline.due.isoformat())


def _extra_days(settings: Settings) -> dict[date, str]:
    """Admin-added days, when a migrated database is there; the law alone otherwise."""
    from sqlalchemy import inspect, select

    from oirs.models import ExtraHoliday

    session = _session(settings)
    try:
        with session.begin():
            if not inspect(session.connection()).has_table("extra_holiday"):
                return {}
            return {row.day: row.reason for row in session.scalars(select(ExtraHoliday))}
    except Exception as exc:  # an unreachable database must not stop date arithmetic
        click.echo(
            f"Aviso: no se leyeron los días inhábiles agregados ({type(exc).__name__}).", err=True
        )
        return {}
    finally:
        session.close()


@main.command("worker", help="Procesa tareas en segundo plano: alertas de plazo y resúmenes.")
@click.option("--workers", default=1, show_default=True, help="Hilos del consumidor.")
def worker_cmd(workers: int) -> None:
    from admin.jobs import run_worker

    _settings()
    run_worker(workers)


@main.command(
    "anonymise",
    help="Anonimiza los casos cerrados con plazo de conservación cumplido y reintenta los "
    "pendientes; con --folio, anonimiza ese caso ahora (o reintenta el borrado de sus archivos "
    "y de su conversación con el bot).",
)
@click.option("--folio", default=None, help="Folio del caso que se anonimiza o se reintenta.")
@click.option(
    "--reason",
    default="Solicitud de supresión del titular",
    show_default=True,
    help="Motivo que queda en el historial del caso (con --folio).",
)
def anonymise_cmd(folio: str | None, reason: str) -> None:
    from admin import create_app
    from admin.jobs import retention_years, run_anonymise

    configured = _settings()
    if folio:
        from admin.anonymisation import anonymise_folio
        from oirs.errors import CaseNotFound

        with create_app().app_context():
            try:
                reach = anonymise_folio(folio, reason)
            except CaseNotFound as exc:
                raise click.ClickException(exc.message) from exc
        click.echo(f"reached={','.join(reach.reached)} failed={','.join(reach.failed)}")
        if reach.failed:
            raise SystemExit(1)
        return
    try:
        years = retention_years(configured.retention_years)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    with create_app().app_context():
        folios = run_anonymise(years=years)
    click.echo(f"anonymised={len(folios)}")
    for folio in folios:
        click.echo(folio)


def _threshold(value: str | None) -> float | None:
    if value is None or value == "auto":
        return None
    try:
        threshold = float(value)
    except ValueError:
        threshold = -1.0
    if not 0 < threshold < 1:
        raise click.BadParameter("use un número entre 0 y 1, o «auto»", param_hint="--threshold")
    return threshold


@main.command(
    "train-themes",
    help="Reentrena el clasificador de temas con los ejemplos semilla y las correcciones del "
    "personal; imprime en JSON la exactitud por validación cruzada y el umbral.",
)
@click.option(
    "--threshold",
    default=None,
    help="Umbral fijo (0-1) para aceptar el tema sugerido, o «auto» para elegirlo por "
    "validación cruzada. Sin la opción se conserva el umbral fijo anterior, si lo hay.",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(2, 10),
    help="Particiones de la validación cruzada estratificada.",
)
def train_themes_cmd(threshold: str | None, folds: int) -> None:
    import json

    from admin import create_app
    from admin.jobs import run_theme_training
    from oirs.themes.store import run_summary

    _settings()
    fixed = _threshold(threshold)
    with create_app().app_context():
        run = run_theme_training(
            force=True, threshold=fixed, keep_fixed=threshold != "auto", trigger="cli", folds=folds
        )
        assert run is not None
        click.echo(json.dumps(run_summary(run), ensure_ascii=False, indent=2))


def _register_area_commands() -> None:
    """Commands that live beside their area (outbox delivery, upload purge)."""
    from admin.geocoding_cli import geocode_cases, import_streets
    from admin.outbox_cli import outbox_worker, purge_uploads

    main.add_command(outbox_worker)
    main.add_command(purge_uploads)
    main.add_command(import_streets)
    main.add_command(geocode_cases)


_register_area_commands()

if __name__ == "__main__":
    sys.exit(main())
