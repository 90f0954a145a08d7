"""bench/understanding.py's command line: which sets, against which stack, and where results go."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests

from . import conversations, fields, nlu, sets, themes
from .clients import AdminClient, CaseUnreadable, ContactReader, RasaClient, RouteMissing
from .resident import Persona
from .stack import Endpoints, StackUnavailable, own_stack
from .transports import ChannelFailed, Channels

ROOT = Path(__file__).resolve().parents[2]
NEEDS = {"nlu": ("rasa",), "themes": ("admin",), "fields": (), "conversations": ("rasa", "admin")}


def say(message: str) -> None:
    """Progress on stderr (stdout carries the JSON)."""
    print(f"[understanding] {message}", file=sys.stderr, flush=True)


class Progress:
    """'nlu 120/600' about twenty times per set."""

    def __init__(self, label: str, total: int) -> None:
        self.label, self.total = label, total
        self.step = max(1, total // 20)

    def __call__(self, done: int) -> None:
        if done == self.total or done % self.step == 0:
            say(f"{self.label} {done}/{self.total}")


def describe(error: BaseException) -> str:
    """An error for the report without the request's URL (Rasa's token travels in the query)."""
    if isinstance(error, requests.HTTPError) and error.response is not None:
        return f"HTTP {error.response.status_code} ({error.response.reason})"
    if isinstance(error, requests.RequestException):
        return f"{type(error).__name__} (sin respuesta del servicio)"
    return f"{type(error).__name__}: {error}"


def category_names() -> dict[str, str]:
    """Category code -> Spanish name, as every commune starts with them."""
    from oirs.seed import CATEGORIES

    return {code: name for code, name, _unit, _copy in CATEGORIES}


def latest_set(root: Path) -> Path | None:
    """The newest round under bench/blind (r1, r2, …)."""
    rounds = sorted(
        (p for p in (root / "bench" / "blind").glob("r*") if p.is_dir()),
        key=lambda p: (len(p.name), p.name),
    )
    return rounds[-1] if rounds else None


def run_set(
    kind: str, folder: Path, endpoints: Endpoints | None, channels: set[str] | None = None
) -> dict[str, Any]:
    """One set: its record ({status, summary, …}) and, under 'details', what goes to the file.
    `channels` keeps only the conversations of those persona channels (--channels)."""
    path = folder / f"{kind}.jsonl"
    if not path.exists():
        return {"status": "skipped", "reason": f"no existe {path}"}
    loaded = sets.load(folder, kind)
    record: dict[str, Any] = {"file": str(path), "invalid_lines": loaded.invalid}
    if kind == "conversations" and channels:
        loaded.items[:] = [i for i in loaded.items if str(i.get("channel") or "web") in channels]
        record["channels"] = sorted(channels)
    label = Progress(kind, len(loaded.items))
    try:
        summary, details = _score(kind, loaded.items, endpoints, label)
    except fields.ParsersMissing as error:
        return {**record, "status": "failed", "reason": str(error)}
    except RouteMissing as error:
        return {**record, "status": "skipped", "reason": str(error)}
    except (requests.RequestException, StackUnavailable, CaseUnreadable) as error:
        return {**record, "status": "failed", "reason": describe(error)}
    return {**record, "status": "ok", "summary": summary, "details": details}


def _score(
    kind: str,
    items: list[dict[str, Any]],
    endpoints: Endpoints | None,
    progress: Callable[[int], None],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    if kind == "fields":
        return fields.score_fields(items, fields.load_parsers())
    if endpoints is None:
        raise StackUnavailable("no hay stack para este conjunto")
    if kind == "nlu":
        rasa = RasaClient(_need(endpoints.rasa_url, "--rasa"), endpoints.rasa_token)
        return nlu.run_nlu(items, rasa.parse, progress)
    admin = AdminClient(
        _need(endpoints.admin_url, "--admin"), _need(endpoints.admin_token, "--token")
    )
    if kind == "themes":
        return themes.run_themes(items, admin.classify, category_names(), progress)
    rasa = RasaClient(_need(endpoints.rasa_url, "--rasa"), endpoints.rasa_token)
    talks = Channels(rasa, endpoints.stand_ins)
    return run_conversations(items, talks, admin, endpoints.database_url)


def _need(value: str | None, flag: str) -> str:
    if not value:
        raise StackUnavailable(f"falta {flag} (o su variable de entorno)")
    return value


def run_conversations(
    items: list[dict[str, Any]], talks: Channels, admin: AdminClient, database_url: str | None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Every persona in turn, each on its channel (`talks`); a conversation that breaks is
    recorded, the next one still runs."""
    from oirs.privacy.masking import mask_text

    names = category_names()
    reader = ContactReader(database_url) if database_url else None
    results = []
    try:
        for number, line in enumerate(items, start=1):
            persona = Persona.from_line(line)
            results.append(_one_conversation(persona, talks, admin, reader, names, mask_text))
            last = results[-1]
            via = last["transport"]
            say(f"conversations {number}/{len(items)} id={persona.id} via={via} {_verdict(last)}")
    finally:
        if reader is not None:
            reader.close()
    summary = conversations.summarize(results, masked=reader is None)
    return summary, [r for r in results if not r["all_right"]]


def _verdict(result: dict[str, Any]) -> str:
    """'RC-2026-000009 todo bien', 'RC-… mal: rut, nombre' or 'sin folio (why)' (no values)."""
    if result["all_right"]:
        return f"{result['folio']} todo bien"
    if result["fields"] is None:
        return f"sin caso ({result['stop']})"
    wrong = [name for name, verdict in result["fields"].items() if not verdict["right"]]
    return f"{result['folio']} mal: {', '.join(wrong)}"


def _one_conversation(
    persona: Persona,
    talks: Channels,
    admin: AdminClient,
    reader: ContactReader | None,
    names: dict[str, str],
    mask: Callable[[str], str],
) -> dict[str, Any]:
    talk = talks.open(persona)
    try:
        outcome = conversations.converse(persona, talk, names)
    except (requests.RequestException, ChannelFailed) as error:
        outcome = conversations.Outcome(None, "", talk.identity.sender, identity=talk.identity)
        return conversations.result_of(persona, outcome, None, f"error: {describe(error)}")
    if outcome.folio is None:
        return conversations.result_of(persona, outcome, None)
    try:
        case = admin.case(outcome.folio)
        row = reader(outcome.folio) if reader is not None else None
    except (CaseUnreadable, requests.RequestException) as error:
        return conversations.result_of(persona, outcome, None, f"caso ilegible: {describe(error)}")
    filed = conversations.FiledCase.from_api(case, row)
    verdicts = conversations.score_case(persona.gold, filed, names, mask, outcome.identity)
    return conversations.result_of(persona, outcome, verdicts)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark ciego de comprensión (issue 12).")
    parser.add_argument(
        "--set", type=Path, help="carpeta con *.jsonl (por omisión la última ronda)"
    )
    parser.add_argument("--only", help=f"lista separada por comas de: {','.join(sets.KINDS)}")
    parser.add_argument("--rasa", help="URL de Rasa ya en marcha (con --enable-api)")
    parser.add_argument("--admin", help="URL del panel ya en marcha")
    parser.add_argument("--token", help="token de la API del panel (mejor: OIRS_API_TOKEN)")
    parser.add_argument("--rasa-token", help="--auth-token de Rasa (mejor: RASA_AUTH_TOKEN)")
    parser.add_argument("--database-url", help="base del panel dado, para comparar sin máscara")
    parser.add_argument(
        "--channels", help="conversaciones: solo las personas de estos canales (voice,whatsapp,…)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = parser.parse_args(argv)
    kinds = [k.strip() for k in (args.only or ",".join(sets.KINDS)).split(",") if k.strip()]
    unknown = sorted(set(kinds) - set(sets.KINDS))
    if unknown:
        parser.error(f"conjuntos desconocidos: {unknown}")
    args.kinds = [k for k in sets.KINDS if k in kinds]
    args.channel_filter = {c.strip() for c in (args.channels or "").split(",") if c.strip()}
    return args


@contextlib.contextmanager
def endpoints_for(args: argparse.Namespace, kinds: list[str]) -> Iterator[Endpoints | None]:
    """The given stack, or one started here when a set needs a service whose URL is missing."""
    services = {service for kind in kinds for service in NEEDS[kind]}
    given = Endpoints(
        rasa_url=args.rasa,
        rasa_token=args.rasa_token or os.environ.get("RASA_AUTH_TOKEN"),
        admin_url=args.admin,
        admin_token=args.token or os.environ.get("OIRS_API_TOKEN"),
        database_url=args.database_url,
    )
    missing = ("rasa" in services and not args.rasa) or ("admin" in services and not args.admin)
    if not services:
        yield None
    elif not missing:
        yield given
    else:
        with own_stack(ROOT, say) as started:
            yield started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    folder = args.set or latest_set(ROOT)
    output: dict[str, Any] = {"benchmark": "understanding", "set": str(folder), "sets": {}}
    if folder is None or not folder.is_dir():
        output["error"] = f"no hay conjunto ciego en {folder or ROOT / 'bench' / 'blind'}"
        print(json.dumps(output, ensure_ascii=False))
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    records = {}
    # the parsers need no stack: measured first, even when the stack cannot start
    local = [k for k in args.kinds if not NEEDS[k]]
    remote = [k for k in args.kinds if NEEDS[k]]
    for kind in local:
        records[kind] = _run_and_save(kind, folder, None, args.out, args.channel_filter)
    if remote:
        try:
            with endpoints_for(args, remote) as endpoints:
                for kind in remote:
                    records[kind] = _run_and_save(
                        kind, folder, endpoints, args.out, args.channel_filter
                    )
        except (StackUnavailable, RuntimeError) as error:
            for kind in remote:
                records.setdefault(kind, {"status": "failed", "reason": describe(error)})
    output["sets"] = {kind: records[kind] for kind in args.kinds}
    print(json.dumps(output, ensure_ascii=False))
    return 1 if any(r["status"] == "failed" for r in records.values()) else 0


def _run_and_save(
    kind: str,
    folder: Path,
    endpoints: Endpoints | None,
    out: Path,
    channels: set[str] | None = None,
) -> dict[str, Any]:
    """Run one set, write var/bench/understanding-<kind>.json, return the record without details."""
    say(f"{kind}: empieza")
    record = run_set(kind, folder, endpoints, channels)
    details = record.pop("details", [])
    key = "failures" if kind == "conversations" else "errors"
    path = out / f"understanding-{kind}.json"
    path.write_text(
        json.dumps({"kind": kind, **record, key: details}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    say(f"{kind}: {record['status']} -> {path}")
    return record
