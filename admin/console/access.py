"""Who works the console: call-center agents, and OIRS staff and admins who cover for them."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user

from admin.auth.permissions import requires
from oirs.cases import Actor

CONSOLE_ROLES = frozenset({"agent", "oirs", "admin"})
F = TypeVar("F", bound=Callable[..., Any])


def console_required(view: F) -> F:
    """Logged in (else the login page), then 403 unless the role works the console."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if current_user.role not in CONSOLE_ROLES:
            abort(403)
        return view(*args, **kwargs)

    return requires("account.self")(guarded)  # type: ignore[return-value]


def current_actor() -> Actor:
    return Actor(current_user.name, current_user.id, current_user.role)
