"""A tiny loopback TCP proxy: round robin over several upstreams, and a switch that loses
replies, so tests can put two Rasa servers behind one port or lose the admin's answers."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field


@dataclass
class Proxy:
    """Forwards each new connection on `port` to the next of `upstreams` (127.0.0.1 ports)."""

    port: int
    upstreams: list[int]
    served: Counter[int] = field(default_factory=Counter)
    replies_to_lose: int = 0
    lose_after: bytes = b""
    lost: int = 0
    _next: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Proxy:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError(f"el proxy no escuchó en el puerto {self.port}")
        return self

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def lose_replies(self, count: int, request_prefix: bytes = b"") -> None:
        """The next `count` replies to requests starting with `request_prefix` are dropped
        after the request reached the upstream (it did the work; the caller never hears)."""
        with self._lock:
            self.replies_to_lose = count
            self.lose_after = request_prefix

    def _run(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", self.port)
        )
        ready.set()
        try:
            self._loop.run_forever()
        finally:
            server.close()
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()

    def _pick(self) -> int:
        with self._lock:
            upstream = self.upstreams[self._next % len(self.upstreams)]
            self._next += 1
            self.served[upstream] += 1
            return upstream

    def _take_loss(self, request: bytes) -> bool:
        with self._lock:
            if self.replies_to_lose <= 0 or not request.startswith(self.lose_after):
                return False
            self.replies_to_lose -= 1
            self.lost += 1
            return True

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self._pick())
        except OSError:
            writer.close()
            return
        last_request = [b""]

        def remember(chunk: bytes) -> bool:
            if chunk[:1].isalpha():  # a new request line (requests here are small)
                last_request[0] = chunk
            return False

        await asyncio.gather(
            _pipe(reader, up_writer, remember),
            _pipe(up_reader, writer, lambda _chunk: self._take_loss(last_request[0])),
            return_exceptions=True,
        )
        for stream in (writer, up_writer):
            stream.close()


async def _pipe(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, lose: Callable[[bytes], bool]
) -> None:
    """Copy bytes until EOF; when `lose(chunk)` says so, drop the chunk and cut both sides."""
    try:
        while chunk := await reader.read(65536):
            if lose(chunk):
                writer.transport.abort()
                return
            writer.write(chunk)
            await writer.drain()
    finally:
        with suppress(OSError, RuntimeError):  # the other side may be gone already
            if writer.can_write_eof() and not writer.is_closing():
                writer.write_eof()
