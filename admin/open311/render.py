"""GeoReport v2 documents in JSON or XML, from plain dicts (no personal data goes in)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any
from xml.etree import ElementTree as ET

from flask import Response, jsonify
from oirs_rules.dates import SANTIAGO

from oirs.cases import workflow
from oirs.labels import STATUS_LABELS
from oirs.models import Case, Category
from oirs.reporting.publication import coarse_address, coarse_coordinate, public_text

ROOTS = {"service": "services", "request": "service_requests", "error": "errors"}


def w3c(moment: datetime) -> str:
    """W3C date-time with the Chilean offset, as GeoReport asks."""
    return moment.astimezone(SANTIAGO).isoformat(timespec="seconds")


def end_of(day: date) -> str:
    return w3c(datetime.combine(day, time(23, 59, 59), tzinfo=SANTIAGO))


def service(category: Category) -> dict[str, Any]:
    return {
        "service_code": category.open311_code,
        "service_name": category.name,
        "description": category.name,
        "metadata": False,
        "type": "realtime",
        "keywords": category.code,
        "group": category.unit.name if category.unit else "",
    }


def service_request(case: Case, own: bool = False) -> dict[str, Any]:
    """A reclamo as the public sees it: service, status, dates and a coarse place; the
    description (masked) and the photo only once staff published them. `own`: the Open311
    client that filed it, which also gets back the place it sent. Contact data never."""
    category = case.category
    updated = case.events[-1].at if case.events else case.created_at
    shown = own or case.public_description
    names = [case.contact_name]
    media_url = (case.details or {}).get("open311", {}).get("media_url") or ""
    return {
        "service_request_id": case.folio,
        "status": "open" if workflow.is_open(case.status) else "closed",
        "status_notes": STATUS_LABELS.get(case.status, case.status),
        "service_name": category.name if category else "",
        "service_code": category.open311_code if category else "",
        "description": public_text(case.description, names) if shown else "",
        "agency_responsible": case.unit.name if case.unit else "",
        "service_notice": "",
        "requested_datetime": w3c(case.created_at),
        "updated_datetime": w3c(updated),
        "expected_datetime": end_of(case.due_date),
        "address": (case.address or "") if own else coarse_address(case.address, names),
        "address_id": "",
        "zipcode": "",
        "lat": case.latitude if own else coarse_coordinate(case.latitude),
        "long": case.longitude if own else coarse_coordinate(case.longitude),
        "media_url": media_url if shown else "",
    }


def _xml(kind: str, items: Sequence[dict[str, Any]]) -> bytes:
    root = ET.Element(ROOTS[kind])
    for item in items:
        node = ET.SubElement(root, kind)
        for key, value in item.items():
            child = ET.SubElement(node, key)
            if isinstance(value, bool):
                child.text = "true" if value else "false"
            elif value is not None:
                child.text = str(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def document(kind: str, items: Sequence[dict[str, Any]], fmt: str, status: int = 200) -> Response:
    """The list of `kind` items in the requested format."""
    if fmt == "xml":
        return Response(_xml(kind, items), status=status, mimetype="text/xml")
    response = jsonify(list(items))
    response.status_code = status
    return response


def errors(status: int, messages: Sequence[str], fmt: str) -> Response:
    """GeoReport errors: a list of {code, description}."""
    return document("error", [{"code": status, "description": m} for m in messages], fmt, status)
