"""Rate limits of the public webhooks (WhatsApp, Telegram, phone), in moving windows counted
by the `limits` library (no burst of twice the limit across a boundary of the clock).

Three limits, each configured by an environment variable (see ``from_env``):

- **per client IP, before the signature check** (``OIRS_WEBHOOK_RATE_PER_IP``): an address
  that keeps sending requests we refuse (unsigned, forged, wrong secret or account) gets 429
  for everything while its window stays full, without its body being verified or logged again.
  Only refused requests count: Twilio and Telegram deliver every resident's messages from a
  few addresses of their own, and a verified request must never be throttled by address.
- **per resident, after verification** (``OIRS_WEBHOOK_RATE_PER_SENDER``): one WhatsApp
  number or Telegram chat may not monopolise the bot. Over the limit the message is not
  passed to Rasa, the drop is logged (masked), and the resident is told once per window.
- **per caller, new calls** (``OIRS_VOICE_RATE_PER_CALLER``): a number that keeps calling
  hears a short message and the call ends.

The windows live in Redis when the channels already share state there (``REDIS_URL``) or
Rasa's lock store is Redis (``RASA_LOCK_STORE=redis``, ``REDIS_HOST``, ``REDIS_PORT``,
``REDIS_LOCK_DB``), so several Rasa processes behind one port count together; in memory
otherwise. A limiter must never take a channel down: when Redis fails, requests pass
(fail open) and the failure is logged once per pause.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass

from limits import RateLimitItem
from sanic import response
from sanic.request import Request

logger = logging.getLogger(__name__)

PER_IP_VARIABLE = "OIRS_WEBHOOK_RATE_PER_IP"
PER_SENDER_VARIABLE = "OIRS_WEBHOOK_RATE_PER_SENDER"
PER_CALLER_VARIABLE = "OIRS_VOICE_RATE_PER_CALLER"
# Refused requests per address; verified ones never count (see the module docstring).
DEFAULT_PER_IP = "20/minute"
# A resident sending an album of photos or typing fast stays far below; a script does not.
DEFAULT_PER_SENDER = "40/minute;300/hour"
# Calling back after a dropped call is normal; a number redialling all day is not.
DEFAULT_PER_CALLER = "5/10minutes;30/day"
OFF = ("", "0", "off", "none", "no")

TOO_MANY_TEXT = "Demasiadas solicitudes. Intente nuevamente más tarde."
REDIS_TIMEOUT = 0.5  # seconds: a slow Redis must not hold a webhook for long
REDIS_PAUSE = 10.0  # seconds without trying Redis after it failed

_UNITS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
}
_RATE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\d*)\s*([a-z]+)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Rate:
    """At most `count` events per window of `seconds`."""

    count: int
    seconds: int

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}s"


def parse_rates(spec: str) -> tuple[Rate, ...]:
    """'40/minute;300/hour' (also '5 per 10 minutes', '20/30s'); 'off' or '' → no limit."""
    if spec.strip().lower() in OFF:
        return ()
    rates = []
    for part in re.split(r"[;,]", spec):
        if not part.strip():
            continue
        match = _RATE.match(part)
        unit = _UNITS.get(match.group(3).lower()) if match else None
        if match is None or unit is None:
            raise ValueError(f"rate limit {part.strip()!r}: expected like '40/minute' or '5/10m'")
        count, amount = int(match.group(1)), int(match.group(2) or 1)
        if count < 1 or amount < 1:
            raise ValueError(f"rate limit {part.strip()!r}: count and period must be positive")
        rates.append(Rate(count, amount * unit))
    return tuple(rates)


def rates_from_env(variable: str, default: str, environ: Mapping[str, str]) -> tuple[Rate, ...]:
    value = environ.get(variable)
    try:
        return parse_rates(default if value is None else value)
    except ValueError as error:  # a typo must stop the server, not let floods through
        raise ValueError(f"{variable}: {error}") from error


def redis_url_from_env(environ: Mapping[str, str]) -> str | None:
    """Redis shared by the Rasa processes, if any: REDIS_URL, else the lock store's Redis."""
    if environ.get("REDIS_URL"):
        return environ["REDIS_URL"]
    if environ.get("RASA_LOCK_STORE", "").strip().lower() != "redis":
        return None
    host = environ.get("REDIS_HOST") or "127.0.0.1"
    port = environ.get("REDIS_PORT") or "6379"
    db = environ.get("REDIS_LOCK_DB") or "1"  # Rasa's RedisLockStore default; keys differ
    return f"redis://{host}:{port}/{db}"


# --- stores: the `limits` library's moving windows ------------------------------------------

NAMESPACE = "oirs:ratelimit"
NOTICE_NAMESPACE = "oirs:ratelimit:notice"


class MemoryStore:
    """limits' in-process storage, on the event loop (one Rasa process serves all traffic),
    with at most `max_keys` identities: limits 2.4 keeps every key it has seen."""

    name = "memory"

    def __init__(self, max_keys: int = 100_000) -> None:
        from limits.aio.storage import MemoryStorage
        from limits.aio.strategies import MovingWindowRateLimiter

        self.max_keys = max_keys
        self.storage = MemoryStorage()
        self.limiter = MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        allowed: bool = await self.limiter.hit(item, *identifiers)
        if len(self.storage.events) > self.max_keys:
            self._prune()
        return allowed

    async def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        return bool(await self.limiter.test(item, *identifiers))

    async def window(self, item: RateLimitItem, *identifiers: str) -> tuple[float, int]:
        reset, remaining = await self.limiter.get_window_stats(item, *identifiers)
        return float(reset), int(remaining)

    def _prune(self) -> None:
        """Forget identities whose events all expired, then the oldest ones. Safe on the event
        loop: limits' expiry task never yields while it walks the same dict."""
        events = self.storage.events
        for key in [key for key, entries in events.items() if not entries]:
            del events[key]
        for key in list(events)[: max(len(events) - self.max_keys, 0)]:
            del events[key]


class RedisStore:
    """limits' Redis storage (redis-py, Lua scripts), shared by every Rasa process. limits 2.4
    has no asyncio Redis client of redis-py's, so each call runs in a thread of the loop."""

    name = "redis"

    def __init__(self, url: str, timeout: float = REDIS_TIMEOUT) -> None:
        from limits.storage import RedisStorage
        from limits.strategies import MovingWindowRateLimiter

        self.url = url
        self.storage = RedisStorage(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self.limiter = MovingWindowRateLimiter(self.storage)

    async def hit(self, item: RateLimitItem, *identifiers: str) -> bool:
        return bool(await asyncio.to_thread(self.limiter.hit, item, *identifiers))

    async def test(self, item: RateLimitItem, *identifiers: str) -> bool:
        return bool(await asyncio.to_thread(self.limiter.test, item, *identifiers))

    async def window(self, item: RateLimitItem, *identifiers: str) -> tuple[float, int]:
        reset, remaining = await asyncio.to_thread(
            self.limiter.get_window_stats, item, *identifiers
        )
        return float(reset), int(remaining)


Store = MemoryStore | RedisStore


def store_from_env(environ: Mapping[str, str] | None = None) -> Store:
    url = redis_url_from_env(os.environ if environ is None else environ)
    return RedisStore(url) if url else MemoryStore()


# --- the limiter ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    first_refusal: bool = False  # the first refusal within the refusing window: say so once
    retry_after: int = 0  # seconds until the refusing window has room again


ALLOW = Verdict(True)


@dataclass(frozen=True)
class _Window:
    rate: Rate
    item: RateLimitItem  # at most rate.count events in any rate.seconds
    notice: RateLimitItem  # one "you are over" per rate.seconds


class Limiter:
    """Moving windows of one kind of event per identity (IP, number, chat): "3/10minutes" is at
    most 3 in any 10 minutes, not 3 before and 3 after a boundary of the clock. A refused
    event is not counted, so a sender who keeps going gets through at the allowed pace."""

    def __init__(
        self, scope: str, rates: Sequence[Rate], store: Store, pause: float = REDIS_PAUSE
    ) -> None:
        from limits import RateLimitItemPerSecond

        self.scope = scope
        self.rates = tuple(rates)
        self.windows = tuple(
            _Window(
                rate,
                RateLimitItemPerSecond(rate.count, rate.seconds, namespace=NAMESPACE),
                RateLimitItemPerSecond(1, rate.seconds, namespace=NOTICE_NAMESPACE),
            )
            for rate in self.rates
        )
        self.store = store
        self.pause = pause
        self._skip_until = 0.0

    def _key(self, identity: str) -> tuple[str, str]:
        # Identities (phone numbers, chat ids, addresses) are stored only as digests.
        return self.scope, hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24]

    async def hit(self, identity: str) -> Verdict:
        """Count one event, or refuse it once any window already holds its limit."""
        return await self._guarded(self._hit, identity)

    async def check(self, identity: str) -> Verdict:
        """Whether this identity was already refused and its window is still full, without
        counting an event: the first refused event still passes (and is counted as refused)."""
        return await self._guarded(self._check, identity)

    async def _hit(self, key: tuple[str, str]) -> Verdict:
        full = [w for w in self.windows if not await self.store.test(w.item, *key)]
        if not full:
            for window in self.windows:
                if not await self.store.hit(window.item, *key):  # filled meanwhile
                    full.append(window)
            if not full:
                return ALLOW
        first = [await self.store.hit(w.notice, *key) for w in full]
        return Verdict(False, any(first), await self._retry_after(full, key))

    async def _check(self, key: tuple[str, str]) -> Verdict:
        refused = [
            w
            for w in self.windows
            if not await self.store.test(w.item, *key) and not await self.store.test(w.notice, *key)
        ]
        return Verdict(False, False, await self._retry_after(refused, key)) if refused else ALLOW

    async def _retry_after(self, windows: Sequence[_Window], key: tuple[str, str]) -> int:
        now = time.time()
        resets = [(await self.store.window(w.item, *key))[0] for w in windows]
        return max([1, *(int(reset - now) + 1 for reset in resets)])

    async def _guarded(
        self, judge: Callable[[tuple[str, str]], Awaitable[Verdict]], identity: str
    ) -> Verdict:
        """The store's verdict, or ALLOW (fail open) when the store is unavailable."""
        if not self.windows or not identity or time.monotonic() < self._skip_until:
            return ALLOW
        try:
            return await judge(self._key(identity))
        except Exception as error:  # any failure of the store: let traffic pass
            self._skip_until = time.monotonic() + self.pause
            logger.error(
                "channel_ratelimit event=store_unavailable scope=%s store=%s error=%s "
                "action=fail_open pause_s=%.0f",
                self.scope,
                self.store.name,
                type(error).__name__,
                self.pause,
            )
            return ALLOW


# --- what the webhooks use ----------------------------------------------------------------------


def client_ip(request: Request) -> str:
    """The caller's address: from X-Forwarded-For only behind trusted proxies.

    Sanic reads the forwarding headers only when told how many proxies to trust
    (SANIC_PROXIES_COUNT, or SANIC_REAL_IP_HEADER / SANIC_FORWARDED_SECRET); otherwise
    remote_addr is empty and the peer address is used, which a client cannot forge.
    """
    return request.remote_addr or request.ip or "unknown"


def too_many(retry_after: int) -> response.HTTPResponse:
    return response.text(
        TOO_MANY_TEXT, status=429, headers={"Retry-After": str(max(retry_after, 1))}
    )


class WebhookLimits:
    """The two limits of one channel: refused requests per IP, accepted events per identity."""

    def __init__(self, channel: str, per_ip: Limiter, per_identity: Limiter) -> None:
        self.channel = channel
        self.per_ip = per_ip
        self.per_identity = per_identity

    @classmethod
    def from_env(
        cls,
        channel: str,
        identity_variable: str = PER_SENDER_VARIABLE,
        identity_default: str = DEFAULT_PER_SENDER,
        environ: Mapping[str, str] | None = None,
        store: Store | None = None,
    ) -> WebhookLimits:
        env = os.environ if environ is None else environ
        store = store or store_from_env(env)
        per_ip = rates_from_env(PER_IP_VARIABLE, DEFAULT_PER_IP, env)
        per_identity = rates_from_env(identity_variable, identity_default, env)
        logger.info(
            "channel=%s event=rate_limits per_ip=%s per_%s=%s store=%s",
            channel,
            ",".join(map(str, per_ip)) or "off",
            "caller" if identity_variable == PER_CALLER_VARIABLE else "sender",
            ",".join(map(str, per_identity)) or "off",
            store.name,
        )
        return cls(
            channel,
            Limiter(f"{channel}:ip", per_ip, store),
            Limiter(f"{channel}:sender", per_identity, store),
        )

    async def screen(self, request: Request) -> response.HTTPResponse | None:
        """Before any verification: 429 for an address that went over its refused requests."""
        verdict = await self.per_ip.check(client_ip(request))
        return None if verdict.allowed else too_many(verdict.retry_after)

    async def refused(self, request: Request) -> None:
        """Count a request that failed verification against its address."""
        address = client_ip(request)
        verdict = await self.per_ip.hit(address)
        if verdict.first_refusal:  # from the next request on, this address gets 429
            logger.warning(
                "channel=%s event=ip_rate_limited ip=%s retry_after_s=%d",
                self.channel,
                address,
                verdict.retry_after,
            )

    async def resident(self, identity: str) -> Verdict:
        """Count one message (or call) of a verified resident."""
        return await self.per_identity.hit(identity)
