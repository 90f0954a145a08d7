"""Channel credentials from credentials.yml with ${VAR} references expanded here, not by Rasa.

Rasa itself aborts the whole server when an unquoted ${VAR} is unset, so credentials.yml
quotes them ('${TWILIO_AUTH_TOKEN}') and each channel expands them and, when one of its
required variables is missing, is replaced by a channel that mounts no route and says so
in the log: the server still starts with the other channels.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any, ClassVar

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

logger = logging.getLogger(__name__)

_VAR = re.compile(r"\$\{([A-Z0-9_]+)\}")


def expand(value: Any, environ: Mapping[str, str] | None = None) -> Any:
    """Replace ${VAR} in a credentials value; unset variables become empty strings."""
    env = os.environ if environ is None else environ
    if not isinstance(value, str):
        return value
    return _VAR.sub(lambda m: env.get(m.group(1), ""), value).strip()


def resolve(
    channel: str,
    credentials: Mapping[str, Any] | None,
    required: Iterable[str],
    environ: Mapping[str, str] | None = None,
) -> dict[str, Any] | None:
    """Expanded credentials, or None (logged) when a required one is missing."""
    raw = dict(credentials or {})
    values = {key: expand(value, environ) for key, value in raw.items()}
    missing = [key for key in required if not values.get(key)]
    if missing:
        names = [_variable_name(raw.get(key), key) for key in missing]
        logger.warning(
            "channel=%s status=disabled reason=missing_configuration missing=%s",
            channel,
            ",".join(names),
        )
        return None
    return values


def _variable_name(raw: Any, key: str) -> str:
    match = _VAR.search(raw) if isinstance(raw, str) else None
    return match.group(1) if match else key


class DisabledChannel(InputChannel):
    """Stands in for a channel whose configuration is missing: no route is mounted."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def url_prefix(self) -> str:
        return self.channel

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return Blueprint(f"{self.channel}_disabled")


class ProviderInput(InputChannel):
    """A provider's channel (WhatsApp, Telegram, phone) configured from credentials.yml.

    When one of its REQUIRED credentials is unset it is replaced by a DisabledChannel; else
    `configured` builds it from the expanded values. Its blueprint answers GET / (health).
    """

    CHANNEL: ClassVar[str]
    REQUIRED: ClassVar[tuple[str, ...]]

    @classmethod
    def name(cls) -> str:
        return cls.CHANNEL

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        # Rasa builds its channels from credentials.yml as its server starts, before any turn:
        # the server's own hook for our code (imported here, not by every channel user)
        from channels.action_answers import check_action_answers_once

        check_action_answers_once()
        values = resolve(cls.CHANNEL, credentials, cls.REQUIRED)
        if values is None:
            return DisabledChannel(cls.CHANNEL)
        return cls.configured(values)

    @classmethod
    def configured(cls, values: dict[str, Any]) -> InputChannel:
        raise NotImplementedError

    def webhook_blueprint(self) -> Blueprint:
        """The channel's blueprint (Rasa mounts it at /webhooks/<name>/) with its health route."""
        webhook = Blueprint(f"{self.CHANNEL}_webhook", type(self).__module__)

        @webhook.get("/")
        async def health(_: Request) -> response.HTTPResponse:
            return response.json({"status": "ok"})

        return webhook
