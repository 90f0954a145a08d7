"""`oirs outbox-worker`: delivers staff messages through each resident's channel."""

from __future__ import annotations

import logging
import signal
import time
from datetime import timedelta
from types import FrameType

import click

from admin.senders import build_senders
from admin.senders.dispatch import deliver_due
from oirs.db import make_engine, make_session_factory
from oirs.files.attachments import PENDING_MAX_AGE, purge_stale_uploads
from oirs.settings import Settings

log = logging.getLogger(__name__)


@click.command("outbox-worker", help="Entrega los mensajes pendientes del outbox, con reintentos.")
@click.option("--once", is_flag=True, help="Una sola ronda y termina (para cron o pruebas).")
@click.option("--interval", default=5.0, show_default=True, help="Segundos entre rondas.")
@click.option("--batch", default=20, show_default=True, help="Mensajes por ronda.")
def outbox_worker(once: bool, interval: float, batch: int) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    senders = build_senders(settings)
    log.info("outbox worker channels=%s", ",".join(sorted(senders)))
    stopping = False

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            result = deliver_due(sessions, senders, batch=batch)
            if once:
                click.echo(f"sent={result.sent} retried={result.retried} failed={result.failed}")
                return
            if result.sent + result.retried + result.failed < batch:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        engine.dispose()


@click.command(
    "purge-uploads",
    help="Borra archivos recibidos que nunca llegaron a un caso (el worker lo hace cada día).",
)
@click.option(
    "--days", default=PENDING_MAX_AGE.days, show_default=True, help="Antigüedad mínima en días."
)
def purge_uploads(days: int) -> None:
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            dropped = purge_stale_uploads(session, settings.data_dir, timedelta(days=days))
    finally:
        engine.dispose()
    click.echo(f"uploads_dropped={dropped}")
