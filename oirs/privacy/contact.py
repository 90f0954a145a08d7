"""A resident's contact data (RUT, e-mail, Chilean phone): the shared rules of `oirs_rules`.

The bot checks what residents type with the same functions (packages/oirs_rules), so a value
the bot accepted is never refused by the admin, and the other way round.
"""

from __future__ import annotations

from oirs_rules.contact import format_rut, normalise_email, normalise_phone, normalise_rut

__all__ = ["format_rut", "normalise_email", "normalise_phone", "normalise_rut"]
