"""Chilean local time and Spanish date words: every clock and date shown to people uses these."""

from __future__ import annotations

from zoneinfo import ZoneInfo

# Every municipality this project serves keeps mainland Chile's time (Easter Island does not).
SANTIAGO = ZoneInfo("America/Santiago")

MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
    "octubre", "noviembre", "diciembre",
)  # fmt: skip
WEEKDAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
