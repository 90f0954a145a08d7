"""One schedule and the moments both sides must judge alike: the admin (tests/admin/
test_handoffs.py) and the phone line (tests/channels/test_voice_hours.py) assert this table."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

# Two windows a day, written with ",": a lunch break the phone line once could not parse.
SPEC = "mon-fri 08:30-13:00, mon-fri 14:00-17:30"

# Santiago is UTC-3 from September to April (summer time), so 14:00 UTC is 11:00 there.
_UTC = timezone.utc
CASES: list[tuple[datetime, bool, str]] = [
    (datetime(2026, 11, 25, 14, 0, tzinfo=_UTC), True, "Wednesday 11:00"),
    (datetime(2026, 11, 25, 16, 30, tzinfo=_UTC), False, "Wednesday 13:30, lunch break"),
    (datetime(2026, 11, 25, 18, 0, tzinfo=_UTC), True, "Wednesday 15:00"),
    (datetime(2026, 11, 25, 21, 0, tzinfo=_UTC), False, "Wednesday 18:00"),
    (datetime(2026, 12, 8, 14, 0, tzinfo=_UTC), False, "Tuesday 8 December, a holiday"),
    (datetime(2026, 9, 18, 14, 0, tzinfo=_UTC), False, "Friday 18 September, a holiday"),
    (datetime(2026, 11, 28, 14, 0, tzinfo=_UTC), False, "Saturday 11:00"),
]
ONE_MINUTE = timedelta(minutes=1)
