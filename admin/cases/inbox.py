"""The inbox: every case the user may see, filtered, searched, sorted, with its traffic light."""

from __future__ import annotations

from datetime import datetime

from flask import render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from oirs_rules.dates import SANTIAGO
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from admin.auth.permissions import requires, sees_full_contact
from admin.cases import bp
from admin.cases import filters as inbox_filters
from admin.cases.deadline_view import view_for
from admin.database import calendar, db
from oirs.models import Case, Category, Unit

PER_PAGE = 25


def today_local() -> datetime:
    return datetime.now(SANTIAGO)


@bp.get("/")
@requires("cases.read")
def inbox() -> ResponseReturnValue:
    session = db()
    units = list(session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.name)))
    categories = list(session.scalars(select(Category).order_by(Category.name)))
    form = inbox_filters.build_form(units, categories, request.args)
    if request.args and not form.validate():
        return render_template(
            "cases/inbox.html", form=form, rows=[], total=0, page=1, pages=1
        ), 400
    today = today_local().date()
    full = sees_full_contact(current_user.role)
    query = inbox_filters.apply(inbox_filters.visible_cases(current_user), form, today, full)
    total = session.scalar(inbox_filters.count(query)) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(form.pagina.data or 1, pages)
    query = inbox_filters.ordered(query, form.orden.data)
    query = query.options(joinedload(Case.unit), joinedload(Case.category))
    cases = session.scalars(query.limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    cal = calendar()
    rows = [(case, view_for(case, cal, today)) for case in cases]
    args = {k: v for k, v in request.args.items() if k != "pagina" and v}
    return render_template(
        "cases/inbox.html", form=form, rows=rows, total=total, page=page, pages=pages, args=args
    )
