"""Domain errors of the OIRS core; the edges turn them into Spanish messages."""

from __future__ import annotations


class OirsError(Exception):
    """Base of every domain error; `code` is the machine code the API returns."""

    code = "oirs_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class CaseNotFound(OirsError):
    code = "case_not_found"


class InvalidTransition(OirsError):
    code = "invalid_transition"


class InvalidField(OirsError):
    """One or more fields of a request are invalid; `fields` maps field -> Spanish message."""

    code = "invalid_field"

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("Hay datos que revisar: " + "; ".join(fields.values()))
        self.fields = fields


class UnknownUnit(OirsError):
    code = "unknown_unit"


class PermissionDenied(OirsError):
    code = "forbidden"
