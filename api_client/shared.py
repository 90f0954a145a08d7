"""One client per event loop for the whole process, and the waits a resident can afford."""

from __future__ import annotations

import asyncio
import os
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from api_client.client import OirsApiClient
from api_client.errors import ApiUnavailable
from api_client.settings_version import forget as forget_settings_version

T = TypeVar("T")

_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, OirsApiClient] = (
    weakref.WeakKeyDictionary()
)
_factory: Callable[[], OirsApiClient] = OirsApiClient.from_env


def shared_client() -> OirsApiClient:
    """The process's client on the running loop, so every action and channel shares its
    connections.

    httpx connections belong to the loop that opened them; the action server and the Rasa
    server have one loop each, tests start one per conversation turn, and each gets its own.
    """
    loop = asyncio.get_running_loop()
    client = _clients.get(loop)
    if client is None:
        client = _clients[loop] = _factory()
    return client


def use_client_factory(factory: Callable[[], OirsApiClient]) -> Callable[[], OirsApiClient]:
    """Build the shared clients with `factory` from now on (tests: a mocked transport);
    returns the previous factory. Clients already made, and what they heard, are dropped."""
    global _factory
    previous, _factory = _factory, factory
    _clients.clear()
    forget_settings_version()
    return previous


def seconds_from_env(name: str, default: float) -> float:
    """A positive number of seconds from the environment; a wrong value stops the server at
    start rather than every resident's turn later."""
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not value > 0:
        raise ValueError(f"{name} must be more than 0 seconds, not {raw!r}")
    return value


async def within(seconds: float, call: Awaitable[T]) -> T:
    """The call's answer, or ApiUnavailable (the call cancelled) after `seconds`: how long a
    resident waits for something the conversation can go on without."""
    try:
        return await asyncio.wait_for(call, seconds)
    except asyncio.TimeoutError as error:
        raise ApiUnavailable(f"no answer within {seconds:g} s") from error
