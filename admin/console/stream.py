"""Server-sent events: the queue and a conversation, polled from the database every second.

Each stream is bounded (CONSOLE_STREAM_SECONDS, default 30) so a worker is never held for long,
and only a few at a time stay open per process (admin/long_requests.py): beyond those a stream
answers one poll and closes. The browser's EventSource reconnects by itself and resumes from the
last event id."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

from flask import Response, current_app, render_template, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user

from admin.console import bp
from admin.console.access import console_required
from admin.console.views import HANDOFF_STATUS_LABELS, queue_context, sync_conversation
from admin.database import session_factory
from admin.long_requests import take_slot
from oirs.handoffs.queue import HandoffNotFound, get_handoff
from oirs.models import Handoff, HandoffStatus

POLL_SECONDS = 1.0
RASA_EVERY = 3  # polls between two reads of the Rasa tracker


def sse(event: str, data: str, event_id: str | None = None) -> str:
    """One server-sent event; every line of `data` gets its own "data:" prefix."""
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines += [f"data: {line}" for line in (data.splitlines() or [""])]
    return "\n".join(lines) + "\n\n"


def _budget() -> tuple[float, Callable[[], None] | None]:
    """How long this stream stays open, and the slot it holds meanwhile. A single-threaded
    worker answers one poll and closes, so an open console never holds a synchronous worker;
    so does a threaded one whose stream slots are all held (the browser reconnects)."""
    if not request.environ.get("wsgi.multithread"):
        return 0.0, None
    give_back = take_slot("stream")
    if give_back is None:
        return 0.0, None
    return float(current_app.config.get("CONSOLE_STREAM_SECONDS", 30)), give_back


def _retry(seconds: float) -> str:
    """Reconnect delay: short after a long stream, longer when each stream is a single poll."""
    return "retry: 2000\n\n" if seconds > 0 else "retry: 3000\n\n"


def _event_stream(generate: Iterator[str], give_back: Callable[[], None] | None) -> Response:
    response = Response(
        stream_with_context(generate),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
    if give_back is not None:
        response.call_on_close(give_back)  # the server closes it when the stream ends or breaks
    return response


@bp.get("/cola/eventos")
@console_required
def queue_events() -> ResponseReturnValue:
    user_id = current_user.id
    seconds, give_back = _budget()
    retry = _retry(seconds)

    def generate() -> Iterator[str]:
        yield retry
        last: Any = None
        deadline = time.monotonic() + seconds
        while True:
            out = None
            with session_factory()() as session, session.begin():  # never held across a yield
                context = queue_context(session, user_id)
                handoffs = [*context["queued"], *context["mine"]]
                minute = int(time.time() // 60)  # waiting times shown in minutes
                signature = [minute, *((h.id, h.status, h.updated_at) for h in handoffs)]
                signature += [("devolver", r["handoff"].id) for r in context["callbacks"]]
                if signature != last:
                    last = signature
                    html = render_template("console/_queue.html", **context)
                    out = sse("cola", html, str(len(context["queued"])))
            if out:
                yield out
            if time.monotonic() >= deadline:
                return
            time.sleep(POLL_SECONDS)

    return _event_stream(generate(), give_back)


def _start_index() -> int:
    raw = request.headers.get("Last-Event-ID") or request.args.get("desde") or "0"
    return int(raw) + (1 if request.headers.get("Last-Event-ID") else 0) if raw.isdigit() else 0


@bp.get("/<int:handoff_id>/eventos")
@console_required
def conversation_events(handoff_id: int) -> ResponseReturnValue:
    start = _start_index()
    user_id, role = current_user.id, current_user.role
    seconds, give_back = _budget()
    retry = _retry(seconds)

    def generate() -> Iterator[str]:
        yield retry
        sent, status, polls = start, None, 0
        deadline = time.monotonic() + seconds
        while True:
            out: list[str] = []
            with session_factory()() as session:
                with session.begin():
                    try:
                        mine = _answering(get_handoff(session, handoff_id), user_id, role)
                    except HandoffNotFound:
                        return
                if (
                    mine
                    and polls % RASA_EVERY == 0
                    and (warning := sync_conversation(session, handoff_id))
                ):
                    out.append(sse("aviso", warning))
                with session.begin():  # never held across a yield
                    handoff = get_handoff(session, handoff_id)
                    sent, status = _changes(handoff, sent, status, mine, out)
            yield from out
            polls += 1
            if time.monotonic() >= deadline:
                return
            time.sleep(POLL_SECONDS)

    return _event_stream(generate(), give_back)


def _answering(handoff: Handoff, user_id: int, role: str) -> bool:
    """The viewer is the one answering (OIRS staff and admins may step in)."""
    if handoff.status != HandoffStatus.TAKEN:
        return False
    return handoff.agent_user_id == user_id or role in ("oirs", "admin")


def _changes(
    handoff: Handoff, sent: int, status: str | None, mine: bool, out: list[str]
) -> tuple[int, str]:
    """New transcript lines after `sent` and a changed status, as events added to `out`."""
    for index, entry in list(enumerate(handoff.transcript or []))[sent:]:
        html = render_template(
            "console/_message.html",
            index=index,
            entry=entry,
            suggest=mine and handoff.channel != "voice",
        )
        data = json.dumps({"index": index, "sender": entry.get("sender"), "html": html})
        out.append(sse("mensaje", data, str(index)))
        sent = index + 1
    if status is not None and handoff.status != status:
        label = HANDOFF_STATUS_LABELS.get(handoff.status, handoff.status)
        out.append(sse("estado", json.dumps({"status": handoff.status, "label": label})))
    return sent, handoff.status
