"""Domain errors and HTTP errors become 4xx JSON for the API, with a Spanish message."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from oirs.errors import CaseNotFound, InvalidField, InvalidTransition, OirsError, PermissionDenied

STATUS = {CaseNotFound: 404, InvalidTransition: 409, InvalidField: 422, PermissionDenied: 403}
HTTP_MESSAGES = {
    400: "La solicitud no es válida.",
    401: "Falta una credencial válida.",
    403: "No tiene permiso para esta operación.",
    404: "No se encontró el recurso.",
    405: "Método no permitido.",
    413: "El contenido enviado es demasiado grande.",
    415: "Tipo de contenido no soportado.",
    429: "Demasiadas solicitudes; intente más tarde.",
    500: "Error interno; el equipo técnico fue notificado.",
}


def error_response(status: int, code: str, message: str, **extra: Any) -> tuple[Response, int]:
    return jsonify({"error": {"code": code, "message": message, **extra}}), status


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/open311/")) or request.is_json


def init_app(app: Flask) -> None:
    @app.errorhandler(OirsError)
    def _domain(exc: OirsError) -> tuple[Response, int]:
        status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
        extra = {"fields": exc.fields} if isinstance(exc, InvalidField) else {}
        return error_response(status, exc.code, exc.message, **extra)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        status = exc.code or 500
        if not wants_json():
            return render_template("error.html", code=status, reason=None), status
        message = HTTP_MESSAGES.get(status, exc.description or "Error.")
        return error_response(status, (exc.name or "error").lower().replace(" ", "_"), message)
