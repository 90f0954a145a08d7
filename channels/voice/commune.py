"""The commune's name as the admin configured it, said in the greeting and the folio's SMS."""

from __future__ import annotations

import logging

from api_client import ApiError, shared_client

logger = logging.getLogger(__name__)

FALLBACK = "Municipalidad"


class CommuneName:
    """Asked of the admin once per process; until it answers, "Municipalidad"."""

    def __init__(self) -> None:
        self._name: str | None = None

    async def get(self) -> str:
        if self._name is None:
            try:
                name = (await shared_client().commune()).get("name")
            except ApiError as error:
                logger.warning("channel=voice event=commune_unavailable error=%s", error)
                return FALLBACK
            self._name = str(name or FALLBACK)
        return self._name
