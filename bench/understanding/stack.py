"""The stack the benchmark starts when no URLs are given: admin, action server and Rasa.

Started the way the end-to-end tests start it (tests/e2e/stack.py: migrate, seed, `oirs
create-token`, then the three services) on ports of its own, with a fresh SQLite database in a
temporary folder, and stopped at the end. Like the e2e session stack it mounts WhatsApp and
Telegram against loopback stand-ins of Twilio and Telegram (tests/e2e/conftest.py), and the phone
line (credentials.yml's channels.voice.VoiceInput) with the same Twilio account: its webhooks are
signed with TWILIO_AUTH_TOKEN over OIRS_PUBLIC_URL, SMS and recordings go to the Twilio stand-in.
So WhatsApp, Telegram and voice personas talk through their real channels. It never trains:
without a model in models/ it stops.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .transports import StandIns, running_stand_ins

PORTS = (27200, 27205, 27255)  # admin, rasa, actions (bench/turns.py uses 27000-27105)
STAND_IN_PORTS = (27280, 27281)  # Twilio, Telegram (the e2e session's are 29080/29081)


@dataclass(frozen=True)
class Endpoints:
    """Where the sets talk to, and with which tokens (never printed)."""

    rasa_url: str | None
    rasa_token: str | None
    admin_url: str | None
    admin_token: str | None
    database_url: str | None = None  # for the unmasked contact; None when only the API is known
    stand_ins: StandIns | None = None  # Twilio and Telegram stand-ins: only on the bench's stack


class StackUnavailable(RuntimeError):
    """The stack could not be started (no model, a service that did not come up)."""


def model_dir(root: Path) -> Path:
    """models/ (or OIRS_TEST_MODEL_DIR) when it holds a trained model, else StackUnavailable."""
    models = Path(os.environ.get("OIRS_TEST_MODEL_DIR", root / "models"))
    if not list(models.glob("*.tar.gz")):
        raise StackUnavailable(
            f"no hay modelo entrenado en {models}: entrénelo antes (scripts/train.sh o make run)"
        )
    return models


@contextmanager
def own_stack(root: Path, report: Callable[[str], None]) -> Iterator[Endpoints]:
    """Run the three services for the block; their logs stay in a folder kept on failure."""
    from tests.e2e import channel_env
    from tests.e2e import stack as e2e

    model_dir(root)
    data_dir = Path(tempfile.mkdtemp(prefix="bench-understanding-"))
    url = f"sqlite:///{data_dir / 'oirs.db'}"
    report(
        "iniciando admin, acciones, Rasa (WhatsApp, Telegram y voz) y los dobles de Twilio y "
        f"Telegram ({data_dir}) …"
    )
    try:
        with running_stand_ins(*STAND_IN_PORTS) as (twilio, telegram):
            extra = {
                "RASA_AUTH_TOKEN": secrets.token_urlsafe(18),
                # TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_API_BASE also mount the
                # phone line; with the e2e stack's OIRS_PUBLIC_URL, what its signatures cover.
                # Each voice persona calls from a fresh number: the per-caller limit stays on
                **channel_env.channel_env(twilio.base_url, telegram.base_url),
            }
            with e2e.running_stack(data_dir, url, ports=PORTS, extra_env=extra) as running:
                report("stack listo")
                yield Endpoints(
                    rasa_url=running.rasa_url,
                    rasa_token=running.env["RASA_AUTH_TOKEN"],
                    admin_url=running.admin_url,
                    admin_token=running.token,
                    database_url=url,
                    stand_ins=StandIns(running, twilio, telegram),
                )
    except Exception:
        report(f"el stack falló; registros conservados en {data_dir}")
        raise
    shutil.rmtree(data_dir, ignore_errors=True)
