"""The admin API calls the phone channel makes itself: handoff, voicemail case, commune name."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

TIMEOUT = aiohttp.ClientTimeout(total=10)


class AdminApiError(Exception):
    """The admin API refused or failed a request of the phone channel."""


class AdminApi:
    """The admin API with the bot's token, for the calls the channel makes without Rasa."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}

    async def post_json(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(self.base_url + path, json=body, headers=self.headers) as reply,
        ):
            data = await reply.json(content_type=None)
            if reply.status >= 400 or not isinstance(data, dict):
                raise AdminApiError(f"POST {path} status={reply.status}")
            return data

    async def get_json(self, path: str) -> dict[str, Any]:
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.get(self.base_url + path, headers=self.headers) as reply,
        ):
            data = await reply.json(content_type=None)
            if reply.status >= 400 or not isinstance(data, dict):
                raise AdminApiError(f"GET {path} status={reply.status}")
            return data

    async def attach(self, folio: str, data: bytes, content_type: str, filename: str) -> None:
        form = aiohttp.FormData()
        form.add_field("file", data, content_type=content_type, filename=filename)
        async with (
            aiohttp.ClientSession(timeout=TIMEOUT) as session,
            session.post(
                f"{self.base_url}/api/v1/cases/{folio}/attachments", data=form, headers=self.headers
            ) as reply,
        ):
            if reply.status != 201:
                raise AdminApiError(f"attachment status={reply.status}")


class CommuneName:
    """The commune's name as configured in the admin, asked once per process."""

    def __init__(self, api: AdminApi) -> None:
        self.api = api
        self._name: str | None = None

    async def get(self) -> str:
        if self._name is None:
            try:
                name = (await self.api.get_json("/api/v1/commune")).get("name")
            except (AdminApiError, aiohttp.ClientError, TimeoutError) as error:
                logger.warning("channel=voice event=commune_unavailable error=%s", error)
                return "Municipalidad"
            self._name = str(name or "Municipalidad")
        return self._name
