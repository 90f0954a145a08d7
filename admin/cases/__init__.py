"""Staff case handling: the inbox, the case page, workflow actions, notes and replies."""

from __future__ import annotations

from admin.auth.web import staff_blueprint

bp = staff_blueprint("cases", __name__, url_prefix="/casos")

from admin.cases import actions, attachments, inbox, new_case, page  # noqa: E402,F401
