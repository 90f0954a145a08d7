"""Media sent together (a WhatsApp or Telegram album) reach the bot as one message."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels.batching import MediaBatcher, merge

WINDOW = 0.2


def photo(sender: str, upload_id: str, text: str = "/enviar_adjunto", **extra: Any) -> UserMessage:
    metadata = {"channel": "whatsapp", "attachments": [{"upload_id": upload_id}], **extra}
    return UserMessage(
        text,
        CollectingOutputChannel(),
        sender,
        input_channel="whatsapp",
        message_id=f"SM{upload_id}",
        metadata=metadata,
    )


def text(sender: str, said: str) -> UserMessage:
    return UserMessage(said, CollectingOutputChannel(), sender, input_channel="whatsapp")


class Bot:
    """Stands in for Rasa's on_new_message: records what it was handed, may fail."""

    def __init__(self, fail: bool = False, delay: float = 0.0) -> None:
        self.handled: list[UserMessage] = []
        self.steps: list[str] = []
        self.fail = fail
        self.delay = delay

    async def __call__(self, message: UserMessage) -> None:
        self.steps.append(f"start {message.text}")
        await asyncio.sleep(self.delay)
        self.steps.append(f"end {message.text}")
        if self.fail:
            raise RuntimeError("tracker store down")
        self.handled.append(message)


def uploads(message: UserMessage) -> list[str]:
    return [item["upload_id"] for item in message.metadata["attachments"]]


def test_photos_arriving_together_are_handled_as_one_message() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(WINDOW), Bot()
        await asyncio.gather(
            *(batcher.deliver(photo("+56911", f"upl_{i}"), bot, batched=True) for i in range(4))
        )
        return bot

    bot = asyncio.run(scenario())
    [message] = bot.handled
    assert message.text == "/enviar_adjunto"
    assert uploads(message) == ["upl_0", "upl_1", "upl_2", "upl_3"]
    assert message.metadata["message_ids"] == ["SMupl_0", "SMupl_1", "SMupl_2", "SMupl_3"]
    assert message.sender_id == "+56911"


def test_each_resident_has_their_own_batch() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(WINDOW), Bot()
        await asyncio.gather(
            batcher.deliver(photo("+56911", "upl_a"), bot, batched=True),
            batcher.deliver(photo("+56922", "upl_b"), bot, batched=True),
            batcher.deliver(photo("+56911", "upl_c"), bot, batched=True),
        )
        return bot

    handled = {m.sender_id: uploads(m) for m in asyncio.run(scenario()).handled}
    assert handled == {"+56911": ["upl_a", "upl_c"], "+56922": ["upl_b"]}


def test_a_caption_is_kept_as_the_text() -> None:
    merged = merge(
        [photo("+56911", "upl_1"), photo("+56911", "upl_2", text="hoyo en la calle ¡peligroso!")]
    )
    assert merged.text == "hoyo en la calle ¡peligroso!"
    assert uploads(merged) == ["upl_1", "upl_2"]


def test_photos_a_window_apart_are_answered_separately() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(WINDOW), Bot()
        await batcher.deliver(photo("+56911", "upl_1"), bot, batched=True)
        await batcher.deliver(photo("+56911", "upl_2"), bot, batched=True)
        return bot

    assert [uploads(m) for m in asyncio.run(scenario()).handled] == [["upl_1"], ["upl_2"]]


def test_a_text_after_the_photos_lets_them_go_first_without_waiting_the_window() -> None:
    async def scenario() -> tuple[Bot, float]:
        batcher, bot = MediaBatcher(window=5.0), Bot()
        loop = asyncio.get_running_loop()
        start = loop.time()
        pending = asyncio.ensure_future(
            batcher.deliver(photo("+56911", "upl_1"), bot, batched=True)
        )
        await asyncio.sleep(0.05)
        await batcher.deliver(text("+56911", "es en la esquina"), bot, batched=False)
        await pending
        return bot, loop.time() - start

    bot, took = asyncio.run(scenario())
    assert [m.text for m in bot.handled] == ["/enviar_adjunto", "es en la esquina"]
    assert took < 1.0


def test_a_text_arriving_while_the_photos_are_handled_waits_for_them() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(WINDOW), Bot(delay=0.3)
        photos = asyncio.ensure_future(batcher.deliver(photo("+56911", "upl_1"), bot, True))
        while not bot.steps:  # the window passed: the bot is handling the photo
            await asyncio.sleep(0.01)
        await batcher.deliver(text("+56911", "en la esquina"), bot, batched=False)
        await batcher.deliver(photo("+56911", "upl_2"), bot, batched=True)
        await photos
        return bot

    assert asyncio.run(scenario()).steps == [
        "start /enviar_adjunto",
        "end /enviar_adjunto",
        "start en la esquina",
        "end en la esquina",
        "start /enviar_adjunto",
        "end /enviar_adjunto",
    ]


def test_another_album_closes_the_pending_one() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(window=5.0), Bot()
        first = asyncio.ensure_future(
            batcher.deliver(photo("42", "upl_1"), bot, batched=True, group="album-1")
        )
        await asyncio.sleep(0.05)
        await asyncio.gather(
            first,
            batcher.deliver(photo("42", "upl_2"), bot, batched=True, group="album-2"),
            batcher.deliver(photo("42", "upl_3"), bot, batched=True, group="album-2"),
        )
        return bot

    assert [uploads(m) for m in asyncio.run(scenario()).handled] == [
        ["upl_1"],
        ["upl_2", "upl_3"],
    ]


def test_a_failure_fails_every_request_of_the_batch_so_each_is_redelivered() -> None:
    async def scenario() -> list[BaseException | None]:
        batcher, bot = MediaBatcher(WINDOW), Bot(fail=True)
        results = await asyncio.gather(
            *(batcher.deliver(photo("+56911", f"upl_{i}"), bot, batched=True) for i in range(3)),
            return_exceptions=True,
        )
        return list(results)

    results = asyncio.run(scenario())
    assert all(isinstance(r, RuntimeError) for r in results), results


def test_a_request_that_hangs_up_does_not_cancel_the_others() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(WINDOW), Bot(delay=0.1)
        hung_up = asyncio.ensure_future(
            batcher.deliver(photo("+56911", "upl_1"), bot, batched=True)
        )
        stays = asyncio.ensure_future(batcher.deliver(photo("+56911", "upl_2"), bot, batched=True))
        await asyncio.sleep(0.05)
        hung_up.cancel()
        await stays
        return bot

    assert [uploads(m) for m in asyncio.run(scenario()).handled] == [["upl_1", "upl_2"]]


def test_an_album_never_grows_past_ten() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(window=5.0), Bot()
        await asyncio.gather(
            *(batcher.deliver(photo("+56911", f"upl_{i}"), bot, batched=True) for i in range(14))
        )
        return bot

    sizes = [len(uploads(m)) for m in asyncio.run(scenario()).handled]
    assert sizes == [10, 4]


def test_a_trickle_of_photos_is_answered_after_the_longest_wait() -> None:
    async def scenario() -> tuple[Bot, float]:
        batcher, bot = MediaBatcher(window=5.0, max_wait=0.3), Bot()
        loop = asyncio.get_running_loop()
        start = loop.time()
        await batcher.deliver(photo("+56911", "upl_1"), bot, batched=True)
        return bot, loop.time() - start

    bot, took = asyncio.run(scenario())
    assert len(bot.handled) == 1
    assert took < 4.0  # the 5-second window was cut short


def test_window_zero_hands_each_message_on_at_once() -> None:
    async def scenario() -> Bot:
        batcher, bot = MediaBatcher(window=0), Bot()
        await asyncio.gather(
            *(batcher.deliver(photo("+56911", f"upl_{i}"), bot, batched=True) for i in range(2))
        )
        return bot

    assert len(asyncio.run(scenario()).handled) == 2


@pytest.mark.parametrize(
    ("raw", "window"),
    [("", 2.0), ("0", 0.0), ("0.5", 0.5), ("dos", 2.0), ("-3", 0.0), ("99", 10.0)],
)
def test_window_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, raw: str, window: float
) -> None:
    monkeypatch.setenv("OIRS_MEDIA_BATCH_SECONDS", raw)
    assert MediaBatcher.from_env().window == window
