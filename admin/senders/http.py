"""Provider HTTP answers turned into delivery outcomes, the same way for every channel."""

from __future__ import annotations

import requests

from admin.senders import DeliveryError

TIMEOUT = (5.0, 20.0)


def post(session: requests.Session, url: str, **kwargs: object) -> requests.Response:
    """POST; network errors, 429 and 5xx are worth retrying, other 4xx are not."""
    try:
        reply = session.post(url, timeout=TIMEOUT, **kwargs)  # type: ignore[arg-type]
    except requests.RequestException as exc:
        raise DeliveryError(f"network: {type(exc).__name__}") from exc
    if reply.status_code == 429 or reply.status_code >= 500:
        raise DeliveryError(f"status {reply.status_code}: {reply.text[:300]}")
    if reply.status_code >= 400:
        raise DeliveryError(f"status {reply.status_code}: {reply.text[:300]}", permanent=True)
    return reply
