"""Every admin API route the bot calls, named as admin/api/openapi.json names it.

The client builds its requests only from this table, so tests/api_client/test_contract.py can
check each method and path against the admin's published contract.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the OpenAPI template, e.g. /api/v1/cases/{folio}/adhesions

    def url(self, **parameters: str) -> str:
        """The path with its parameters filled in."""
        return self.path.format(**parameters)


FILE_CASE = Route("POST", "/api/v1/cases")
STATUS_LOOKUP = Route("POST", "/api/v1/status-lookup")
RESIDENT_CASES = Route("GET", "/api/v1/residents/cases")
SIMILAR_CASES = Route("GET", "/api/v1/cases/similar")
ADHESIONS = Route("POST", "/api/v1/cases/{folio}/adhesions")
ATTACHMENTS = Route("POST", "/api/v1/cases/{folio}/attachments")
HANDOFFS = Route("POST", "/api/v1/handoffs")
CLASSIFY = Route("POST", "/api/v1/classify")
CONVERSATION_OUTCOMES = Route("POST", "/api/v1/conversations/outcomes")
COMMUNE = Route("GET", "/api/v1/commune")
UPLOADS = Route("POST", "/api/v1/uploads")
RESIDENT_SATISFACTION = Route("POST", "/api/v1/residents/satisfaction")

ROUTES = (
    FILE_CASE,
    STATUS_LOOKUP,
    RESIDENT_CASES,
    SIMILAR_CASES,
    ADHESIONS,
    ATTACHMENTS,
    HANDOFFS,
    CLASSIFY,
    CONVERSATION_OUTCOMES,
    COMMUNE,
    UPLOADS,
    RESIDENT_SATISFACTION,
)
