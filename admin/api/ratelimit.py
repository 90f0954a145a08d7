"""Whose API requests count together: each live token is one client (the bot, an Open311 app),
whatever address it calls from; a request without a live token counts for its address.

Keyed on the address alone, every call the bot and the channels make from 127.0.0.1 shared one
bucket with anything else on that machine. Keyed on whatever Bearer value arrives, inventing
a new token per request would buy a new bucket: only a token the database knows gets its own."""

from __future__ import annotations

import hashlib

from flask import request
from flask_limiter.util import get_remote_address
from sqlalchemy import select

from admin.api.tokens import hash_token
from admin.database import db
from oirs.models import ApiToken


def _bearer() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def _is_live(token: str) -> bool:
    session = db()
    with session.begin():
        found = session.scalar(
            select(ApiToken.id).where(
                ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None)
            )
        )
    return found is not None


def rate_limit_key(token: str) -> str:
    """A name for the token's bucket: a hash of its own, neither the token nor the hash the
    database finds it by (limiter storage such as Redis is no place for either)."""
    return hashlib.sha256(b"oirs api rate limit\x00" + token.encode()).hexdigest()[:32]


def api_client_key() -> str:
    """The limiter's key for an API request: `token:<hash>` or `address:<ip>`."""
    token = _bearer()
    if token and _is_live(token):
        return "token:" + rate_limit_key(token)
    return "address:" + get_remote_address()
