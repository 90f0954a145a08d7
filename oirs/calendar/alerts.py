"""Which deadline alerts a case has due today (SPEC §3): pure, no clock, no database.

At 50%, 75% and 90% of the term the responsible unit and the OIRS (the Oficina de
Transparencia for SAI) are told; at 90% and at expiry (100%, the due day) the supervisor
(Administrador Municipal) is told as well. Each alert goes out once per due date; when the
job was down and several thresholds passed, only the highest of each audience is sent and
the lower ones are recorded as skipped.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from oirs.calendar.deadlines import ALERT_THRESHOLDS

RESPONSIBLE = "responsible"
SUPERVISOR = "supervisor"

# kind -> (share of the term, audience)
ALERTS: dict[str, tuple[float, str]] = {
    "plazo_50": (0.5, RESPONSIBLE),
    "plazo_75": (0.75, RESPONSIBLE),
    "plazo_90": (0.9, RESPONSIBLE),
    "plazo_100": (1.0, RESPONSIBLE),
    "escalamiento_90": (0.9, SUPERVISOR),
    "escalamiento_100": (1.0, SUPERVISOR),
}
# Statuses in which the municipality's term does not run (waiting for the resident).
PAUSED_STATUSES = frozenset({"subsanacion"})


@dataclass(frozen=True)
class Alert:
    kind: str
    threshold: float
    audience: str
    reached_on: date
    notify: bool  # False: superseded by a higher threshold of the same audience, only recorded


def calendar_day_alert_dates(received: date, due: date) -> dict[float, date]:
    """Threshold dates of a term in calendar days (Ley 21.719 requests)."""
    total = max((due - received).days, 1)
    return {
        share: received + timedelta(days=max(math.ceil(share * total), 1))
        for share in ALERT_THRESHOLDS
    }


def due_alerts(
    reached: Mapping[float, date], today: date, already_sent: Collection[str]
) -> list[Alert]:
    """Alerts whose threshold date (`reached`, per share of the term) is on or before `today`
    and that were not sent for this term."""
    pending = [
        (kind, share, audience)
        for kind, (share, audience) in ALERTS.items()
        if kind not in already_sent and reached[share] <= today
    ]
    highest: dict[str, float] = {}
    for _kind, share, audience in pending:
        highest[audience] = max(share, highest.get(audience, 0.0))
    return [
        Alert(kind, share, audience, reached[share], notify=share == highest[audience])
        for kind, share, audience in pending
    ]


def runs_for(status: str, is_open: bool) -> bool:
    """Alerts apply while the municipality owes an answer and the term is running."""
    return is_open and status not in PAUSED_STATUSES
