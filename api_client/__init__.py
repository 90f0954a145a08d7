"""The bot's one client of the admin API, used by the actions and the channels alike.

Both run in the bot environment (Rasa, Python 3.10) and reach the admin only over its HTTP API
(admin/api/openapi.json). This is a top-level package rather than part of actions/ or channels/
so that neither imports the other: it imports nothing of the project, only httpx.

- client.py   OirsApiClient: the environment read once (OIRS_API_URL, OIRS_API_TOKEN), one set of
              timeouts, bounded retries, a method per route
- routes.py   every route called, as the contract names it (tests/api_client checks it)
- errors.py   ApiError: ApiUnavailable (worth retrying) or ApiRejected/NotFound (ask again)
- shared.py   shared_client(): one client per event loop; within() and seconds_from_env()
"""

from api_client.client import (
    DEFAULT_BASE_URL,
    DEFAULT_TIMEOUT,
    SETTINGS_VERSION_HEADER,
    UPLOAD_TIMEOUT,
    OirsApiClient,
    Retry,
)
from api_client.errors import ApiError, ApiRejected, ApiUnavailable, NotFound
from api_client.settings_version import latest as settings_version
from api_client.shared import seconds_from_env, shared_client, use_client_factory, within

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_TIMEOUT",
    "SETTINGS_VERSION_HEADER",
    "UPLOAD_TIMEOUT",
    "ApiError",
    "ApiRejected",
    "ApiUnavailable",
    "NotFound",
    "OirsApiClient",
    "Retry",
    "seconds_from_env",
    "settings_version",
    "shared_client",
    "use_client_factory",
    "within",
]
