"""Password check behind the login throttle: every refusal looks and costs the same.

A lock kept on the account (the user_account columns failed_logins and locked_until, dropped
by migration 0010) let anyone lock anyone out by typing five wrong passwords; see
admin/auth/throttle.py for what replaced it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.auth.throttle import LoginThrottle
from oirs.accounts import hash_password, verify_password
from oirs.models import User
from oirs.privacy.contact import normalise_email

# Verified when there is no real hash to check (unknown or disabled account, throttled
# address), so that a refusal costs one argon2 verification like a wrong password does.
_DUMMY = User(password_hash=hash_password("not-a-real-password-at-all"))


@dataclass(frozen=True)
class LoginResult:
    user: User | None
    reason: str = "ok"  # ok, wrong_password, unknown, disabled, throttled (logs only)
    known: User | None = None  # the account named, active or not (never shown to the client)
    alert: bool = False  # the account just reached the threshold: tell the holder and admins


def account_name(email: str) -> str:
    """The account an attempt names, as stored (an unknown one is counted the same way)."""
    return normalise_email(email) or email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    # A NUL (which PostgreSQL cannot compare) never gets here: admin/security.py refuses
    # any form holding one with a 400 before the view runs.
    return session.scalar(select(User).where(User.email == account_name(email)))


def attempt_login(
    session: Session,
    email: str,
    password: str,
    address: str,
    throttle: LoginThrottle | None,
) -> LoginResult:
    """Check a password unless this address is held back on this account (or everywhere)."""
    account = account_name(email)
    user = find_user(session, email)
    if throttle is not None and not throttle.allows(account, address):
        verify_password(_DUMMY, password)
        return LoginResult(None, "throttled", user)
    if user is None or not user.active:
        verify_password(_DUMMY, password)
        reason = "unknown" if user is None else "disabled"
    elif verify_password(user, password):
        if throttle is not None:
            throttle.succeeded(account, address)
        return LoginResult(user, known=user)
    else:
        reason = "wrong_password"
    reached = throttle is not None and throttle.failed(account, address)
    alert = reached and user is not None and user.active
    if alert and throttle is not None:
        alert = throttle.first_alert(account)
    return LoginResult(None, reason, user, alert)
