"""Anonymisation as the admin runs it: the database part in one transaction, then the files and
Rasa's tracker store (named by the settings) in another, so a failure outside the database is
recorded on the case and retried instead of being lost."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from admin.database import db, settings
from oirs.cases.filing import get_case
from oirs.handoffs.rasa_tracker import RasaTrackerStore
from oirs.models import Case
from oirs.privacy.rights import (
    PENDING,
    Reach,
    anonymise_case,
    complete_anonymisation,
    pending_anonymisations,
)

log = logging.getLogger(__name__)


def tracker_store() -> RasaTrackerStore:
    """Rasa's tracker store as endpoints.yml names it (RASA_TRACKER_URL)."""
    return RasaTrackerStore(settings().tracker_store_url)


def complete(session: Session, case: Case) -> Reach:
    """Erase the case's files and conversation (its own transaction); logs what failed."""
    with session.begin():
        reach = complete_anonymisation(session, case, settings().data_dir, tracker_store())
    if reach.failed:
        log.warning(
            "anonymisation incomplete folio=%s failed=%s", case.folio, ",".join(reach.failed)
        )
    return reach


def anonymise_folio(folio: str, reason: str) -> Reach:
    """Anonymise one case now (a holder's request), or finish one left incomplete."""
    session = db()
    with session.begin():
        case = get_case(session, folio)
        if not is_anonymised(case):
            anonymise_case(session, case, reason)
        elif not (case.details or {}).get(PENDING):
            return Reach((), ())  # done before: nothing left to erase
    return complete(session, case)


def complete_pending() -> list[tuple[str, Reach]]:
    """Retry every anonymisation whose files or tracker conversation were not yet erased."""
    session = db()
    with session.begin():
        cases = pending_anonymisations(session)
    return [(case.folio, complete(session, case)) for case in cases]


def is_anonymised(case: Case) -> bool:
    return bool((case.details or {}).get("anonymised"))
