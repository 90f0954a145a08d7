"""Ley 21.719 in the logs: after real traffic carrying a RUT, a phone and an e-mail, no log
file the stack wrote (admin, actions, Rasa) holds any of them unmasked; the admin's access log
keeps paths, not the values of query strings or Referers (addresses, identities, api keys)."""

from __future__ import annotations

import re
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import urlencode

import pytest

from tests.e2e.stack import Stack
from tests.e2e.test_reclamo_slice import say, texts

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

RUT, PHONE, EMAIL = "16.054.332-9", "973124486", "vecina.enmascarada@example.cl"
# Every spelling of the three that would identify the resident.
FORBIDDEN = [
    "16.054.332-9",
    "16054332-9",
    "160543329",
    "973124486",
    "9 7312 4486",
    "+56973124486",
    "56973124486",
    "vecina.enmascarada@example.cl",
    "vecina.enmascarada",
]
ANY_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def answer_to(question: str) -> str:
    """What the resident answers to the form's current question."""
    for pattern, answer in (
        (r"(?i)correo", EMAIL),
        (r"(?i)\bRUT\b", RUT),
        (r"(?i)tel[eé]fono|celular|n[uú]mero", PHONE),
        (r"(?i)nombre", "Ana Perez"),
        (r"(?i)direcci[oó]n|d[oó]nde|lugar", "Los Aromos 123"),
    ):
        if re.search(pattern, question):
            return answer
    return "no"


def file_reclamo_with_personal_data(stack: Stack) -> str:
    """A reclamo whose conversation carries all three; returns the folio."""
    sender = f"mask-{uuid.uuid4().hex[:8]}"
    say(stack, sender, "hola")
    reply = say(
        stack,
        sender,
        "hace dos semanas que no pasa el camion de la basura por los aromos 123, "
        f"soy Ana Perez, mi telefono es {PHONE}",
    )
    for _ in range(8):
        if re.search(r"(?i)confirm|correct|resumen", texts(reply)):
            break
        reply = say(stack, sender, answer_to(texts(reply)))
    answer = texts(say(stack, sender, "si"))
    folio = re.search(r"RC-\d{4}-\d{6}", answer)
    assert folio, answer
    # Whatever the form did not ask still crosses Rasa and the actions once.
    say(stack, sender, f"mi rut es {RUT} y mi correo es {EMAIL}")
    return folio.group(0)


def test_no_log_of_the_stack_holds_an_unmasked_rut_phone_or_email(stack: Stack) -> None:
    file_reclamo_with_personal_data(stack)
    logs = sorted(stack.data_dir.glob("*.log"))
    assert {p.stem for p in logs} >= {"admin", "actions", "rasa"}, logs
    leaks = []
    for path in logs:
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            found = [value for value in FORBIDDEN if value in line]
            found += [m for m in ANY_EMAIL.findall(line) if "***" not in m]
            if found:
                leaks.append(f"{path.name}:{number}: {found} in {line[:200]!r}")
    assert not leaks, "\n".join(leaks[:20])


ADDRESS, API_KEY = "Los Aromos 123", "clave-open311-de-prueba"


def get(stack: Stack, path: str, query: dict[str, str], headers: dict[str, str]) -> None:
    """One GET whatever it answers (refusals and redirects are logged too)."""
    url = f"{stack.admin_url}{path}?{urlencode(query)}"
    request = urllib.request.Request(url, headers=headers)
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as refused:
        refused.close()


def test_the_admin_access_log_holds_paths_without_query_or_referer_values(stack: Stack) -> None:
    bot = {"Authorization": f"Bearer {stack.token}"}
    search = f"{stack.admin_url}/consola/buscar?{urlencode({'q': EMAIL})}"
    sent = {
        "/api/v1/cases/similar": ({"category": "aseo", "address": ADDRESS}, bot),
        "/api/v1/residents/cases": (
            {"channel": "whatsapp", "channel_user_id": f"whatsapp:+56{PHONE}"},
            bot,
        ),
        "/consola/buscar": ({"q": f"+56 {PHONE[0]} {PHONE[1:5]} {PHONE[5:]}"}, {"Referer": search}),
        "/open311/v2/requests.json": ({"api_key": API_KEY, "address_string": ADDRESS}, {}),
    }
    for path, (query, headers) in sent.items():
        get(stack, path, query, headers)
    # gunicorn writes the access line after the response has gone out: wait for the last one.
    deadline = time.monotonic() + 10
    while True:
        log = stack.log("admin")
        missing = [path for path in sent if f"GET {path}?" not in log]
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not missing, f"{missing} missing from the access log"
    values = [*FORBIDDEN, ADDRESS, urlencode({"a": ADDRESS})[2:], API_KEY]
    values.append(urlencode({"q": EMAIL})[2:])
    leaks = [
        f"admin.log:{number}: {[v for v in values if v in line]} in {line[:200]!r}"
        for number, line in enumerate(log.splitlines(), 1)
        if any(value in line for value in values)
    ]
    assert not leaks, "\n".join(leaks[:20])
