"""Password check with lockout: 5 failed attempts lock the account for 15 minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from oirs.accounts import hash_password, verify_password
from oirs.contact import normalise_email
from oirs.models import User

MAX_FAILED_LOGINS = 5
LOCK_TIME = timedelta(minutes=15)
_DUMMY = User(password_hash=hash_password("not-a-real-password-at-all"))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    locked_until: datetime | None = None


def find_user(session: Session, email: str) -> User | None:
    # A NUL (which PostgreSQL cannot compare) never gets here: admin/security.py refuses
    # any form holding one with a 400 before the view runs.
    normal = normalise_email(email) or email.strip().lower()
    return session.scalar(select(User).where(User.email == normal))


def attempt_login(session: Session, email: str, password: str, now: datetime) -> LoginResult:
    """Check a password and count failures; the caller commits so failures are kept."""
    user = find_user(session, email)
    if user is None or not user.active:
        verify_password(_DUMMY, password)  # same cost whether or not the account exists
        return LoginResult(None)
    if user.locked_until is not None and user.locked_until > now:
        return LoginResult(None, user.locked_until)
    if not verify_password(user, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + LOCK_TIME
            return LoginResult(None, user.locked_until)
        return LoginResult(None)
    user.failed_logins = 0
    user.locked_until = None
    return LoginResult(user)
