"""Who works the console (call-center agents, and OIRS staff and admins who cover for them):
the "console.use" row of the one permission table."""

from __future__ import annotations

from flask_login import current_user

from admin.auth.permissions import requires
from oirs.cases.filing import Actor

console_required = requires("console.use")


def current_actor() -> Actor:
    return Actor(current_user.name, current_user.id, current_user.role)
