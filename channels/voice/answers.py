"""What the caller's answer means: keys pressed, a yes, or a failure to hear anything.

Pure functions over what Twilio's <Gather> reported; the dialogue (dialogue.py) acts on them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

# The key menu of the phone line; "0" always reaches a person.
HANDOFF = "handoff"
MENU_KEYS: Mapping[str, str] = {
    "1": "/reclamo",
    "2": "/consultar_estado",
    "3": "/solicitud_informacion",
}
AFFIRMATIVE_RE = re.compile(
    r"^\W*(s[ií]|claro|bueno|ya|dale|por favor|ok|okay|correcto|env[ií]e(lo|melo)?)\b", re.I
)

Step = Literal["reprompt", "keys", "person"]


def keys_to_message(digits: str, buttons: Sequence[Mapping[str, Any]], menu_active: bool) -> str:
    """What a keypad entry means: a button, a menu intent, a person, or digits typed as text."""
    digits = digits.strip().rstrip("#")
    if digits == "0":
        return HANDOFF
    if digits.isdigit() and len(digits) == 1 and buttons:
        index = int(digits) - 1
        if 0 <= index < min(len(buttons), 9):
            return str(buttons[index].get("payload") or buttons[index]["title"])
    if menu_active and digits in MENU_KEYS:
        return MENU_KEYS[digits]
    # a RUT typed on a keypad ends in K: callers press the star key for it
    return digits.replace("*", "K")


def is_affirmative(text: str) -> bool:
    """A caller's yes (spoken or key 1) to a yes/no question the channel itself asked."""
    return text.strip() == "1" or bool(AFFIRMATIVE_RE.match(text))


def recovery_step(failures: int) -> Step:
    """After 1 failure ask again, after 2 offer the keypad, after 3 hand over to a person."""
    if failures <= 1:
        return "reprompt"
    if failures == 2:
        return "keys"
    return "person"
