"""gunicorn's logger for the admin: the access log keeps the path and the names of the query's
parameters, never their values, nor the Referer's or a redirect's (Ley 21.719).

Query strings carry what a log must not: an address (`/api/v1/cases/similar?address=…`), a
channel identity (`channel_user_id=whatsapp:+569…`), a staff search for a resident's phone, an
Open311 `api_key`; the Referer repeats the page's query on every request the page makes."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from gunicorn.glogging import Logger

from oirs.privacy.masking import mask_text

HIDDEN = "***"
# Atoms that hold a whole URI (request line aside) or a query string.
_URI_ATOMS = ("f", "{referer}i", "{location}o", "{raw_uri}e", "{request_uri}e", "{http_referer}e")
_QUERY_ATOMS = ("q", "{query_string}e")
# Credentials are never logged, whatever the format asks for.
_SECRET_ATOMS = (
    "{authorization}i",
    "{proxy-authorization}i",
    "{cookie}i",
    "{set-cookie}o",
    "{http_authorization}e",
    "{http_proxy_authorization}e",
    "{http_cookie}e",
)
_QUERY_IN_TEXT = re.compile(r"\?[^\s'\"]*")


def mask_query(query: str) -> str:
    """`address=Los+Aromos+123&limit=5` → `address=***&limit=***`: which, not what."""
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    return mask_text("&".join(f"{name}={HIDDEN}" for name in names))


class MaskedAccessLogger(Logger):
    """gunicorn's Logger with the query's values, the Referer's and credentials masked."""

    @staticmethod
    def clean_uri(uri: str) -> str:
        """A path or URL with its query's values masked and its fragment dropped."""
        if not uri or uri == "-":
            return uri
        parts = urlsplit(uri)
        query = mask_query(parts.query) if parts.query else ""
        path = mask_text(parts.path)
        return urlunsplit((parts.scheme, parts.netloc, path, query, ""))

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        uri = self.clean_uri(environ.get("RAW_URI", ""))
        atoms["r"] = f"{environ['REQUEST_METHOD']} {uri} {environ['SERVER_PROTOCOL']}"
        atoms["U"] = mask_text(atoms.get("U") or "")
        for name in _URI_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = self.clean_uri(atoms[name])
        for name in _QUERY_ATOMS:
            if isinstance(atoms.get(name), str):
                atoms[name] = mask_query(atoms[name])
        for name in _SECRET_ATOMS:
            if name in atoms:
                atoms[name] = HIDDEN
        return atoms

    def exception(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """ "Error handling request /path?query": the failed request's query masked too."""
        self.error_log.exception(_scrub(msg % args if args else msg), **kwargs)

    def warning(self, msg: str, *args: Any, **kwargs: Any) -> None:
        """ "Invalid request from ip=…: Invalid Request Line '…'" may quote the query."""
        self.error_log.warning(_scrub(msg % args if args else msg), **kwargs)


def _scrub(text: str) -> str:
    return mask_text(_QUERY_IN_TEXT.sub("?" + HIDDEN, text))
