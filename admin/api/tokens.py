"""API tokens: random secrets shown once, stored only as SHA-256 hashes, each with its scopes."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.api.scopes import SCOPES
from admin.database import db
from oirs.models import ApiToken, utcnow


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, name: str, scopes: Iterable[str]) -> str:
    """Create a token for `name` with `scopes`; the plain value is returned once, never stored."""
    wanted = sorted(set(scopes))
    if not wanted or not set(wanted) <= set(SCOPES):
        raise ValueError(f"scopes must be some of {SCOPES}, got {wanted!r}")
    token = "oirs_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name, token_hash=hash_token(token), prefix=token[:12], scopes=" ".join(wanted)
        )
    )
    return token


def authenticate(token: str) -> ApiToken | None:
    """The live token matching `token`, marking its last use."""
    if not token:
        return None
    session = db()
    with session.begin():
        api_token = session.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
            )
        )
        now = utcnow()
        last = api_token.last_used_at if api_token else None
        if api_token is not None and (last is None or (now - last).total_seconds() > 60):
            api_token.last_used_at = now
    return api_token
