"""Jinja filters that show dates, states and channels the way Chilean staff read them."""

from __future__ import annotations

from datetime import date, datetime

from flask.sansio.app import App
from oirs_rules.dates import SANTIAGO

from oirs import labels
from oirs.privacy.masking import mask_text


def fecha(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.astimezone(SANTIAGO).date()
    return value.strftime("%d-%m-%Y")


def fechahora(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(SANTIAGO).strftime("%d-%m-%Y %H:%M")


def iso_local(value: datetime | None) -> str:
    return "" if value is None else value.astimezone(SANTIAGO).isoformat(timespec="minutes")


def register(app: App) -> None:
    app.add_template_filter(fecha)
    app.add_template_filter(fechahora)
    app.add_template_filter(iso_local)
    app.add_template_filter(lambda v: labels.STATUS_LABELS.get(v, v), "estado")
    app.add_template_filter(lambda v: labels.TYPE_LABELS.get(v, v), "tipo")
    app.add_template_filter(lambda v: labels.CHANNEL_LABELS.get(v or "", v or ""), "canal")
    app.add_template_filter(lambda v: labels.ACTION_LABELS.get(v, v), "accion")
    app.add_template_filter(labels.event_label, "evento")
    app.add_template_filter(lambda v: mask_text(v or ""), "enmascarar")
