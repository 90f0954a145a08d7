"""A resident's rating of a staff answer ("5 gracias!! 👍", "un 7") is recorded, not chatted to.

Staff answers reach WhatsApp and Telegram through the admin's outbox, not through Rasa, so the
bot does not know a rating was asked: a bare "5" got small talk and was never recorded. A
short message holding a number goes to the admin first; when the latest answer sent to this
resident asked for a rating still missing, the admin records it (on its one 1-5 scale) and the
resident is told so; otherwise the message goes on to Rasa unchanged.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

from oirs_rules.masking import mask_id
from rasa.core.channels.channel import UserMessage

from api_client import ApiRejected, ApiUnavailable, shared_client, within
from channels.store import ChannelStore

logger = logging.getLogger(__name__)

# cheap first look: a short text with a number 1-7 in it; the admin reads it properly
_CANDIDATE = re.compile(r"(?<!\d)[1-7](?!\d)")
MAX_CANDIDATE = 60
# a slow admin must not hold up the conversation (issue 14): past this the bot answers as before
WAIT_SECONDS = 2.0
# when the bot last wrote to a resident: a number typed after that answers the bot
SPOKE = "bot_spoke:{}"
SPOKE_TTL = 8 * 24 * 3600  # longer than the admin's rating window (7 days)


async def note_bot_spoke(store: ChannelStore, recipient_id: str) -> None:
    """Remember that the bot just wrote to this resident (called by the output channels)."""
    await store.put(SPOKE.format(recipient_id), repr(time.time()), ttl=SPOKE_TTL)


def may_be_rating(text: str) -> bool:
    text = (text or "").strip()
    return (
        0 < len(text) <= MAX_CANDIDATE
        and not text.startswith("/")  # a button payload
        and bool(_CANDIDATE.search(text))
    )


async def record_rating(
    channel: str, channel_user_id: str, text: str, bot_spoke_at: float | None = None
) -> dict[str, Any] | None:
    """The admin's record of the rating, or None: no rating in the text, none asked, or the
    admin unreachable (then the bot answers as before, and the resident may rate again)."""
    body: dict[str, Any] = {"channel": channel, "channel_user_id": channel_user_id, "text": text}
    if bot_spoke_at is not None:
        body["bot_spoke_at"] = bot_spoke_at
    try:
        return await within(WAIT_SECONDS, shared_client().record_rating(body))
    except ApiRejected as error:
        if error.status not in (404, 422):  # 404 none awaited, 422 no rating in the text
            logger.warning(
                "channel=%s event=rating_refused status=%s from=%s",
                channel,
                error.status,
                mask_id(channel_user_id),
            )
    except ApiUnavailable as error:
        logger.warning(
            "channel=%s event=rating_unavailable error=%s from=%s",
            channel,
            error,
            mask_id(channel_user_id),
        )
    return None


async def answered_rating(message: UserMessage, store: ChannelStore) -> bool:
    """True when the message was a rating now recorded and acknowledged (Rasa skips it)."""
    metadata = message.metadata or {}
    if metadata.get("attachments") or metadata.get("location"):
        return False
    if not may_be_rating(message.text or ""):
        return False
    channel = str(metadata.get("channel") or message.input_channel or "")
    user_id = str(metadata.get("channel_user_id") or message.sender_id)
    spoke = await store.get(SPOKE.format(message.sender_id))
    result = await record_rating(
        channel, user_id, message.text or "", float(spoke) if spoke else None
    )
    if result is None:
        return False
    logger.info(
        "channel=%s event=rating_recorded from=%s folio=%s",
        channel,
        mask_id(user_id),
        result.get("folio"),
    )
    # the admin's words (oirs/reporting/satisfaction.py), so every channel says the same
    await message.output_channel.send_text_message(message.sender_id, str(result["message"]))
    return True
