"""What the admin says about the call center's hours: the schedule and the open/closed decision
are the shared `oirs_rules.hours` (the phone line decides with the same code)."""

from __future__ import annotations

from datetime import datetime

from oirs_rules.dates import WEEKDAYS
from oirs_rules.hours import CallCenterHours, hhmm, parse_hours

__all__ = ["CallCenterHours", "callback_phrase", "describe_hours", "parse_hours"]

MESSAGES = {
    "hours_unknown": "sin horario de atención configurado",
    "callback_when": "a partir del {day} {date} a las {time} horas",
    "callback_soon": "apenas se reanude la atención",
}


def describe_hours(hours: CallCenterHours) -> str:
    """The schedule as a resident reads it: "de lunes a viernes, de 8:30 a 17:30 horas"."""
    return hours.describe() or MESSAGES["hours_unknown"]


def callback_phrase(opening: datetime | None) -> str:
    """When we call back, as the resident reads it: "a partir del jueves 26-11-2026 a las 8:30"."""
    if opening is None:
        return MESSAGES["callback_soon"]
    return MESSAGES["callback_when"].format(
        day=WEEKDAYS[opening.weekday()],
        date=opening.strftime("%d-%m-%Y"),
        time=hhmm(opening.time()),
    )
