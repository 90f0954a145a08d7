"""A supervisor sends the monthly compliance report (PDF) to the authorities by e-mail.

The Secretaría Municipal must inform the mayor and the council when units miss their deadlines;
the report names them with their cases. Each sending is kept (month, recipients, who, when) and
logged; the addresses typed last time are offered again next month.
"""

from __future__ import annotations

import logging
import re
import smtplib

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from oirs_rules.contact import normalise_email
from sqlalchemy import select
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from admin.auth.forms import REQUIRED, StaffForm
from admin.auth.permissions import requires
from admin.database import db, settings
from admin.mail import MailAttachment, send_mail
from admin.stats import bp
from admin.stats.views import month_bounds, month_label, monthly_pdf, report_filename
from oirs.models import ReportDispatch
from oirs.privacy.masking import mask_text

log = logging.getLogger(__name__)
MAX_RECIPIENTS = 20
SEPARATORS = re.compile(r"[\s,;]+")
MESSAGES = {
    "month": "Indique el mes como AAAA-MM.",
    "invalid": "No es una dirección de correo válida: {address}.",
    "too_many": f"Indique a lo más {MAX_RECIPIENTS} destinatarios.",
    "sent": "Informe de {month} enviado a {count} destinatario(s).",
    "failed": "El correo no pudo enviarse ({error}); el informe no se registró como enviado. "
    "Intente de nuevo en unos minutos.",
}


class SendReportForm(StaffForm):
    mes = StringField(
        "Mes del informe",
        render_kw={"type": "month"},
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=MESSAGES["month"]),
        ],
    )
    destinatarios = TextAreaField(
        "Destinatarios",
        validators=[DataRequired(REQUIRED), Length(max=4000)],
    )


def parse_recipients(text: str) -> tuple[list[str], list[str]]:
    """The valid addresses (each once, in order) and the messages about the invalid ones."""
    addresses: list[str] = []
    errors: list[str] = []
    for item in SEPARATORS.split(text or ""):
        if not item:
            continue
        address = normalise_email(item)
        if address is None:
            errors.append(MESSAGES["invalid"].format(address=item[:80]))
        elif address not in addresses:
            addresses.append(address)
    if len(addresses) > MAX_RECIPIENTS:
        errors.append(MESSAGES["too_many"])
    return addresses, errors


def _history() -> list[ReportDispatch]:
    session = db()
    with session.begin():
        rows = session.scalars(
            select(ReportDispatch).order_by(ReportDispatch.sent_at.desc()).limit(12)
        ).all()
        session.expunge_all()
    return list(rows)


def _page(form: SendReportForm, status: int = 200) -> ResponseReturnValue:
    return render_template("stats/send.html", form=form, history=_history()), status


@bp.get("/informe-mensual/enviar")
@requires("stats.send")
def send_form() -> ResponseReturnValue:
    """The form, with last month and the addresses the last report went to."""
    form = SendReportForm()
    history = _history()
    form.mes.data = f"{month_bounds(None)[0]:%Y-%m}"
    form.destinatarios.data = history[0].recipients.replace(",", "\n") if history else ""
    return render_template("stats/send.html", form=form, history=history)


@bp.post("/informe-mensual/enviar")
@requires("stats.send")
def send_report() -> ResponseReturnValue:
    """Render the month's PDF, e-mail it to the recipients, keep the sending."""
    form = SendReportForm()
    if not form.validate():
        return _page(form, 400)
    recipients, errors = parse_recipients(form.destinatarios.data or "")
    if errors:
        form.destinatarios.errors = [*form.destinatarios.errors, *errors]
        return _page(form, 400)
    start, end = month_bounds(form.mes.data)
    pdf = monthly_pdf(start, end)
    subject, body = _mail_text(start.strftime("%Y-%m"))
    try:
        send_mail(
            settings(),
            recipients,
            subject,
            body,
            [MailAttachment(report_filename(start), "application/pdf", pdf)],
        )
    except (smtplib.SMTPException, OSError) as exc:
        log.error("monthly_report_not_sent month=%s error=%s", form.mes.data, type(exc).__name__)
        form.form_errors.append(MESSAGES["failed"].format(error=type(exc).__name__))
        return _page(form, 503)
    session = db()
    with session.begin():
        session.add(
            ReportDispatch(
                month=form.mes.data,
                recipients=",".join(recipients),
                sent_by_user_id=current_user.id,
                sent_by_label=current_user.name,
            )
        )
    log.info(
        "monthly_report_sent month=%s recipients=%d to=%s user_id=%s",
        form.mes.data,
        len(recipients),
        mask_text(", ".join(recipients)),
        current_user.id,
    )
    flash(MESSAGES["sent"].format(month=month_label(form.mes.data), count=len(recipients)))
    return redirect(url_for("stats.send_form"))


def _mail_text(month: str) -> tuple[str, str]:
    """Subject (first line of the template) and body of the e-mail."""
    text = render_template(
        "stats/report_mail.txt",
        month=month_label(month),
        commune=settings().commune,
        sender=current_user.name,
    )
    subject, _, body = text.partition("\n")
    return subject.strip(), body.lstrip("\n")
