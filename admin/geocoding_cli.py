"""`oirs import-streets` and `oirs geocode-cases`: the commune's street axes, and typed addresses
placed on them (oirs/reporting/geocoding.py)."""

from __future__ import annotations

from pathlib import Path

import click
from sqlalchemy.orm import Session

from oirs.db import make_engine, make_session_factory
from oirs.reporting.geocoding import (
    PRECISIONS,
    Geocoder,
    StreetDataError,
    commune_geocoder,
    geocode_pending,
    load_geojson,
    read_streets,
    replace_street_axes,
)
from oirs.settings import ConfigurationError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigurationError as exc:
        raise click.ClickException(f"Configuración inválida: {exc}") from exc


def _stderr():  # type: ignore[no-untyped-def]
    return click.get_text_stream("stderr")


@click.command(
    "import-streets",
    help="Carga los ejes de calles de la comuna desde un GeoJSON (extracto de OpenStreetMap "
    "convertido con osmtogeojson u ogr2ogr: líneas con highway y name); reemplaza los anteriores.",
)
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def import_streets(file: Path) -> None:
    settings = _settings()
    size_mb = file.stat().st_size / 1_000_000 if file.exists() else 0.0
    if size_mb >= 5:
        click.echo(f"Leyendo {file.name} ({size_mb:.0f} MB)…", err=True)
    try:
        data = load_geojson(file)
        with click.progressbar(
            length=len(data["features"]), label="Revisando elementos", file=_stderr()
        ) as bar:
            imported = read_streets(data, progress=bar.update)
    except StreetDataError as exc:
        raise click.ClickException(exc.message) from exc
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)
    with (
        click.progressbar(length=len(imported.axes), label="Guardando ejes", file=_stderr()) as bar,
        sessions.begin() as session,
    ):
        replace_street_axes(session, imported.axes, progress=bar.update)
    engine.dispose()
    click.echo(
        f"Ejes cargados: {len(imported.axes)} tramos de {imported.streets} calles "
        f"({imported.features} elementos revisados)."
    )
    for reason, count in imported.skipped.most_common():
        click.echo(f"  omitidos, {reason}: {count}")
    click.echo(
        "Para ubicar los casos ya ingresados: «oirs geocode-cases» (con --retry, también los "
        "que antes no se encontraron)."
    )


@click.command(
    "geocode-cases",
    help="Ubica en el mapa los casos con dirección escrita y sin coordenadas (los ya ingresados); "
    "el worker lo hace con los nuevos cada pocos minutos.",
)
@click.option("--retry", is_flag=True, help="Reintenta también las direcciones no encontradas.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Máximo de casos.")
def geocode_cases(retry: bool, limit: int | None) -> None:
    settings = _settings()
    engine = make_engine(settings.database_url)
    sessions = make_session_factory(engine)

    def make_geocoder(session: Session) -> Geocoder:
        geocoder = commune_geocoder(
            session, settings.geocoder_url, settings.geocoder_timeout, settings.commune.comuna
        )
        if geocoder is None:
            raise click.ClickException(
                "No hay ejes de calles cargados ni geocodificador externo (OIRS_GEOCODER_URL): "
                "cargue las calles con «oirs import-streets calles.geojson»."
            )
        return geocoder

    done = [0]

    def progress(count: int) -> None:
        done[0] += count
        click.echo(f"  {done[0]} casos revisados…", err=True)

    run = geocode_pending(sessions, make_geocoder, limit=limit, retry=retry, progress=progress)
    engine.dispose()
    click.echo(f"Casos revisados: {run.total}.")
    for precision, count in sorted(run.placed.items()):
        click.echo(f"  ubicados, {PRECISIONS[precision].lower()}: {count}")
    click.echo(f"  no encontrados: {run.not_found}")
