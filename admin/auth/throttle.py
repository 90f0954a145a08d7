"""Failed sign-ins counted per account *and* client address, in the admin limiter's storage.

A person typing the right password from a place that has not been failing gets in, whatever an
attacker does elsewhere; an address that keeps failing on one account, or on many, is held
back for a while. Counters live where Flask-Limiter keeps its own (memory, or Redis when
REDIS_URL is set) in a moving window, under keys that hold only a keyed hash of the account
and the address.

An admin can ask whether an account is held back (`held_back`) and release it (`release`) for
every address at once: failures on an account are counted under its current generation, and a
release starts a new one, so the counts made before it are simply left to expire.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from flask import Flask
from limits import RateLimitItem, parse
from limits.strategies import RateLimiter

# One address on one account: five typos, then 15 minutes' rest (for that address only).
PER_ACCOUNT_AND_ADDRESS = parse("5 per 15 minutes")
# One address on any account (password spraying, credential stuffing).
PER_ADDRESS = parse("20 per 15 minutes")
# One account from any address: past this the account is under attack, and an address that
# has already failed on it gets no more tries; a clean address still may (one guess each).
PER_ACCOUNT = parse("10 per 15 minutes")
# The holder and the admins hear of it once per window, not once per attempt.
ALERT = parse("1 per 15 minutes")
# Marked whenever an address is held back on an account: what the users page asks.
HELD = parse("1 per 15 minutes")
# An account's generation is kept this long after its first release; when it lapses the count
# starts over at generation 0 (whose failures are long gone), forgetting at most the last
# 15 minutes' failures once.
GENERATION_SECONDS = 30 * 24 * 3600
NAMESPACE = "oirs-login"


@dataclass(frozen=True)
class LoginThrottle:
    strategy: RateLimiter
    secret: bytes

    def pseudonym(self, kind: str, value: str) -> str:
        """A keyed hash: the storage (and any log) never holds an e-mail or an IP address."""
        digest = hmac.new(self.secret, f"{kind}\x00{value}".encode(), hashlib.sha256)
        return digest.hexdigest()[:24]

    def _generation_key(self, acct: str) -> str:
        return f"{NAMESPACE}/generation/{acct}"

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        """The account's key (with its generation) and the address's."""
        acct = self.pseudonym("account", account)
        generation = self.strategy.storage.get(self._generation_key(acct))
        return f"{acct}.{generation}", self.pseudonym("address", address)

    def allows(self, account: str, address: str) -> bool:
        """May this address try a password on this account now?"""
        acct, addr = self._keys(account, address)
        pair = self.strategy.get_window_stats(PER_ACCOUNT_AND_ADDRESS, NAMESPACE, acct, addr)
        if pair.remaining <= 0 or not self.strategy.test(PER_ADDRESS, NAMESPACE, addr):
            return False
        attacked = not self.strategy.test(PER_ACCOUNT, NAMESPACE, acct)
        return not (attacked and pair.remaining < PER_ACCOUNT_AND_ADDRESS.amount)

    def failed(self, account: str, address: str) -> bool:
        """Count a refusal; True when the account is now held back somewhere."""
        acct, addr = self._keys(account, address)
        counters: tuple[tuple[RateLimitItem, tuple[str, ...]], ...] = (
            (PER_ACCOUNT_AND_ADDRESS, (acct, addr)),
            (PER_ADDRESS, (addr,)),
            (PER_ACCOUNT, (acct,)),
        )
        for item, keys in counters:
            self.strategy.hit(item, NAMESPACE, *keys)
        if self.strategy.test(PER_ACCOUNT_AND_ADDRESS, NAMESPACE, acct, addr):
            return not self.strategy.test(PER_ACCOUNT, NAMESPACE, acct)
        self.strategy.clear(HELD, NAMESPACE, acct)  # the mark starts again from now
        self.strategy.hit(HELD, NAMESPACE, acct)
        return True

    def succeeded(self, account: str, address: str) -> None:
        """The right password from this address forgives its earlier typos on this account."""
        acct, addr = self._keys(account, address)
        self.strategy.clear(PER_ACCOUNT_AND_ADDRESS, NAMESPACE, acct, addr)

    def held_back(self, account: str) -> bool:
        """Is some address refused on this account now (or was one, within the window)?"""
        acct, _ = self._keys(account, "")
        return not self.strategy.test(HELD, NAMESPACE, acct) or not self.strategy.test(
            PER_ACCOUNT, NAMESPACE, acct
        )

    def release(self, account: str) -> None:
        """Forget every address's failures on this account (an admin's Desbloquear).

        An address failing on many accounts stays held back: that count is not this account's.
        """
        generation = self._generation_key(self.pseudonym("account", account))
        self.strategy.storage.incr(generation, GENERATION_SECONDS)

    def first_alert(self, account: str) -> bool:
        """True once per window for an account: the moment to tell the holder and admins."""
        return self.strategy.hit(ALERT, NAMESPACE, "alert", self.pseudonym("account", account))


def login_throttle(app: Flask) -> LoginThrottle | None:
    """The throttle on the admin's limiter; None where limits are off (RATELIMIT_ENABLED)."""
    limiter = app.extensions.get("oirs_limiter")
    if limiter is None or not limiter.enabled:
        return None
    return LoginThrottle(limiter.limiter, str(app.config["SECRET_KEY"]).encode())
