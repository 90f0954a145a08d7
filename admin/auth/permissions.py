"""Which roles reach which screen: one table, one decorator, checked on every staff route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from oirs.models import Role

ALL_STAFF = frozenset(r.value for r in Role)
CASE_WORKERS = frozenset({"agent", "oirs", "transparency", "unit", "admin"})
ANSWERERS = frozenset({"oirs", "transparency", "admin"})
FULL_CONTACT = frozenset({"oirs", "transparency", "supervisor", "admin"})

PERMISSIONS: dict[str, frozenset[str]] = {
    "account.self": ALL_STAFF,
    "cases.read": ALL_STAFF,
    "cases.file": frozenset({"agent", "oirs", "transparency", "admin"}),  # presencial, e-mail
    "cases.note": ALL_STAFF,
    "cases.act": CASE_WORKERS,  # each action is narrowed further by oirs.cases.workflow
    "cases.reply": ANSWERERS,
    "cases.contact": ANSWERERS,  # correct a resident's contact data
    "cases.publish": frozenset({"oirs", "admin"}),  # the description on the Open311 listing
    "settings.manage": frozenset({"admin"}),
    "stats.read": frozenset({"oirs", "transparency", "supervisor", "admin"}),
    # the monthly compliance report e-mailed to the authorities (admin/stats/dispatch.py)
    "stats.send": frozenset({"supervisor", "admin"}),
    "sai.manage": frozenset({"transparency", "admin"}),
    # Call-center console (handoffs); admin/console must guard with requires("console.use").
    "console.use": frozenset({"agent", "oirs", "admin"}),
    "privacy.export": frozenset({"oirs", "admin"}),  # Ley 21.719 data-rights export
}

F = TypeVar("F", bound=Callable[..., Any])


def allowed(permission: str, role: str | None) -> bool:
    """True when `role` holds `permission` (unknown permissions allow nobody)."""
    return role is not None and role in PERMISSIONS.get(permission, frozenset())


def requires(permission: str) -> Callable[[F], F]:
    """Log in first (302 to the login page), then 403 unless the role holds `permission`."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                back = request.full_path.rstrip("?") if request.method == "GET" else None
                return redirect(url_for("auth.login", next=back))
            if not allowed(permission, current_user.role):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def sees_full_contact(role: str | None) -> bool:
    """Unit responders and call-center agents see contact data masked (Ley 21.719)."""
    return role in FULL_CONTACT
