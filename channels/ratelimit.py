"""Rate limits of the public webhooks (WhatsApp, Telegram, phone), in fixed time windows.

Three limits, each configured by an environment variable (see ``from_env``):

- **per client IP, before the signature check** (``OIRS_WEBHOOK_RATE_PER_IP``): an address
  that keeps sending requests we refuse (unsigned, forged, wrong secret or account) gets 429
  for everything until its window ends, without its body being verified or logged again.
  Only refused requests count: Twilio and Telegram deliver every resident's messages from a
  few addresses of their own, and a verified request must never be throttled by address.
- **per resident, after verification** (``OIRS_WEBHOOK_RATE_PER_SENDER``): one WhatsApp
  number or Telegram chat may not monopolise the bot. Over the limit the message is not
  passed to Rasa, the drop is logged (masked), and the resident is told once per window.
- **per caller, new calls** (``OIRS_VOICE_RATE_PER_CALLER``): a number that keeps calling
  hears a short message and the call ends.

The counters live in Redis when the channels already share state there (``REDIS_URL``) or
Rasa's lock store is Redis (``RASA_LOCK_STORE=redis``, ``REDIS_HOST``, ``REDIS_PORT``,
``REDIS_LOCK_DB``), so several Rasa processes behind one port count together; in memory
otherwise. A limiter must never take a channel down: when Redis fails, requests pass
(fail open) and the failure is logged once per pause.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

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


# --- counters ---------------------------------------------------------------------------------


class MemoryCounters:
    """Counters of one process (one Rasa process serves all traffic), bounded in size."""

    name = "memory"

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.time) -> None:
        self.max_keys = max_keys
        self.clock = clock
        self._counts: OrderedDict[str, tuple[float, int]] = OrderedDict()

    async def increment(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        now = self.clock()
        counts = []
        for key, ttl in keys:
            expires, count = self._counts.get(key, (now + ttl, 0))
            count = count + 1 if expires > now else 1
            self._counts[key] = (expires if expires > now else now + ttl, count)
            counts.append(count)
        if len(self._counts) > self.max_keys:
            self._prune(now)
        return counts

    async def read(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        now = self.clock()
        values = (self._counts.get(key) for key, _ in keys)
        return [item[1] if item and item[0] > now else 0 for item in values]

    def _prune(self, now: float) -> None:
        for key in [k for k, (expires, _) in self._counts.items() if expires <= now]:
            del self._counts[key]
        while len(self._counts) > self.max_keys:
            self._counts.popitem(last=False)


class RedisCounters:
    """Counters shared by every Rasa process through Redis (INCR + EXPIRE in one MULTI)."""

    name = "redis"

    def __init__(self, url: str, timeout: float = REDIS_TIMEOUT) -> None:
        import redis.asyncio as redis_asyncio

        self.url = url
        self.client = redis_asyncio.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )

    async def increment(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        async with self.client.pipeline(transaction=True) as pipe:
            for key, ttl in keys:
                pipe.incr(key)
                pipe.expire(key, ttl)
            results = await pipe.execute()
        return [int(value) for value in results[0::2]]

    async def read(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        values = await self.client.mget([key for key, _ in keys])
        return [int(value or 0) for value in values]


Counters = MemoryCounters | RedisCounters


def counters_from_env(environ: Mapping[str, str] | None = None) -> Counters:
    url = redis_url_from_env(os.environ if environ is None else environ)
    return RedisCounters(url) if url else MemoryCounters()


# --- the limiter ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    first_refusal: bool = False  # the first refused event of its window: say so once
    retry_after: int = 0  # seconds until the window that refused it ends


ALLOW = Verdict(True)


class Limiter:
    """Fixed-window counters of one kind of event per identity (IP, number, chat)."""

    def __init__(
        self,
        scope: str,
        rates: Sequence[Rate],
        counters: Counters,
        clock: Callable[[], float] = time.time,
        pause: float = REDIS_PAUSE,
    ) -> None:
        self.scope = scope
        self.rates = tuple(rates)
        self.counters = counters
        self.clock = clock
        self.pause = pause
        self._skip_until = 0.0

    def _keys(self, identity: str, now: float) -> list[tuple[str, int]]:
        # Identities (phone numbers, chat ids, addresses) are stored only as digests.
        digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()[:24]
        keys = []
        for rate in self.rates:
            window = int(now // rate.seconds)
            key = f"oirs:ratelimit:{self.scope}:{rate.seconds}:{window}:{digest}"
            keys.append((key, rate.seconds + 1))
        return keys

    def _retry_after(self, now: float, refused: Sequence[Rate]) -> int:
        return max(int(rate.seconds - now % rate.seconds) + 1 for rate in refused)

    async def hit(self, identity: str) -> Verdict:
        """Count one event; refused once any window holds more than its limit."""
        return await self._judge(identity, "increment")

    async def check(self, identity: str) -> Verdict:
        """Whether earlier events already went over the limit, without counting one."""
        verdict = await self._judge(identity, "read")
        return Verdict(verdict.allowed, False, verdict.retry_after)

    async def _judge(self, identity: str, method: str) -> Verdict:
        if not self.rates or not identity:
            return ALLOW
        now = self.clock()
        counts = await self._call(method, self._keys(identity, now))
        if counts is None:
            return ALLOW
        pairs = list(zip(self.rates, counts, strict=True))
        over = [rate for rate, count in pairs if count > rate.count]
        if not over:
            return ALLOW
        first = any(count == rate.count + 1 for rate, count in pairs)
        return Verdict(False, first, self._retry_after(now, over))

    async def _call(self, method: str, keys: list[tuple[str, int]]) -> list[int] | None:
        """The counters' answer, or None (fail open) when their store is unavailable."""
        if time.monotonic() < self._skip_until:
            return None
        try:
            counts: list[int] = await getattr(self.counters, method)(keys)
        except Exception as error:  # any failure of the store: let traffic pass
            self._skip_until = time.monotonic() + self.pause
            logger.error(
                "channel_ratelimit event=store_unavailable scope=%s store=%s error=%s "
                "action=fail_open pause_s=%.0f",
                self.scope,
                self.counters.name,
                type(error).__name__,
                self.pause,
            )
            return None
        return counts


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
        counters: Counters | None = None,
    ) -> WebhookLimits:
        env = os.environ if environ is None else environ
        counters = counters or counters_from_env(env)
        per_ip = rates_from_env(PER_IP_VARIABLE, DEFAULT_PER_IP, env)
        per_identity = rates_from_env(identity_variable, identity_default, env)
        logger.info(
            "channel=%s event=rate_limits per_ip=%s per_%s=%s store=%s",
            channel,
            ",".join(map(str, per_ip)) or "off",
            "caller" if identity_variable == PER_CALLER_VARIABLE else "sender",
            ",".join(map(str, per_identity)) or "off",
            counters.name,
        )
        return cls(
            channel,
            Limiter(f"{channel}:ip", per_ip, counters),
            Limiter(f"{channel}:sender", per_identity, counters),
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
