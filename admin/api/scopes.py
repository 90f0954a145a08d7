"""What each API token may do: one scope per kind of client, declared on every route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from oirs.models.user import API_SCOPES

# bot: the bot and the channels (file, look up with a second factor, attach, adhesions,
# handoffs); open311: an Open311 client (its endpoints); read: reports and read-only case
# data, masked.
SCOPES = API_SCOPES
PUBLIC = "public"  # no token needed: the route shows only what anyone may see

F = TypeVar("F", bound=Callable[..., Any])


def requires_scope(*scopes: str) -> Callable[[F], F]:
    """Declare which token scopes reach a route (any one of them); checked before the view."""
    unknown = set(scopes) - {*SCOPES, PUBLIC}
    if not scopes or unknown:
        raise ValueError(f"unknown API scopes {sorted(unknown)!r}")

    def declare(view: F) -> F:
        view.api_scopes = frozenset(scopes)  # type: ignore[attr-defined]
        return view

    return declare


def route_scopes(view: Callable[..., Any] | None) -> frozenset[str]:
    """The scopes a view declared; none (so nobody gets in) when it forgot."""
    scopes: frozenset[str] = getattr(view, "api_scopes", frozenset())
    return scopes
