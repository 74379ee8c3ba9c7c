"""One error path: logs that name the request and the account, French error pages and answers, an alert for a
callback that failed, and the checks that keep a misconfigured production server from starting.

A log line carries the request's id (the proxy's `X-Request-ID`, or a new one, sent back in the response) and the
account's id, never an e-mail, a form's values or a secret. A person who meets an error sees that id, so the
administrator finds the traceback in the logs.
"""

from __future__ import annotations

import logging
import re
import uuid

from flask import Flask, g, has_request_context, jsonify, render_template, request
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from dashboard import ids

log = logging.getLogger("mednum")

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
MESSAGES = {
    400: "La requête est incomplète ou mal formée.",
    401: "Connectez-vous pour accéder à cette page.",
    403: "Cette page est réservée à un autre rôle que le vôtre.",
    404: "Cette page n'existe pas ou a été déplacée.",
    405: "Cette action n'est pas possible à cette adresse.",
    413: "Le fichier envoyé est trop volumineux.",
    500: "Une erreur inattendue s'est produite ; elle a été enregistrée.",
    503: "La base de données ne répond pas. Réessayez dans un instant ; si cela dure, prévenez l'administrateur.",
}
WEAK_KEYS = {"changeme", "secret", "dev", "development", "test-secret-key"}
MIN_KEY_LENGTH = 32


class RequestContextFilter(logging.Filter):
    """Adds the request's id and the account's id to every record (`-` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        user = current_user if has_request_context() else None
        record.user_id = getattr(user, "id", None) or "-" if user is not None and user.is_authenticated else "-"
        return True


def configure_logging(level: str) -> None:
    """One handler on the app's logger (stderr, which gunicorn and systemd collect), set once per process."""
    if log.handlers:
        return
    handler = logging.StreamHandler()
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s [req %(request_id)s user %(user_id)s] %(name)s: %(message)s")
    )
    log.addHandler(handler)
    log.setLevel(level)


def request_id() -> str:
    return g.get("request_id", "-")


def _start_request() -> None:
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]


def _api_not_found():
    """Dash answers any path with its page; an unknown API address is a 404 for the program that asked."""
    if request.path.startswith("/api/") and request.url_rule is not None and request.url_rule.rule == "/<path:path>":
        return error_response(404)
    return None


def _tag_response(response):
    response.headers["X-Request-ID"] = request_id()
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/_dash-", "/_reload-hash", "/api/"))


def error_response(status: int, message: str | None = None):
    message = message or MESSAGES.get(status, MESSAGES[500])
    if _wants_json():
        return jsonify(error=message, request_id=request_id()), status
    return render_template("error.html", status=status, message=message, request_id=request_id()), status


def _http_error(error: HTTPException):
    return error_response(error.code or 500)


def _database_error(error: SQLAlchemyError):
    log.exception("database error on %s %s", request.method, request.path)
    return error_response(503)


def _unexpected_error(error: Exception):
    if isinstance(error, HTTPException):
        return _http_error(error)
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500)


CALLBACK_FAILED = "Cette action n'a pas abouti : l'erreur a été enregistrée (référence {ref}). Rien n'a été modifié."


def callback_error(error: Exception):
    """Dash's hook for a callback that raised: the error is logged and the person is told in the page's alert
    region; the callback's outputs stay as they were (HTTP 200), its transaction having rolled back."""
    from dash import set_props

    log.error("callback %s failed", request.get_json(silent=True, cache=True).get("output", "?"), exc_info=error)
    set_props(ids.APP_ALERT, {"children": CALLBACK_FAILED.format(ref=request_id()), "is_open": True})
    return None


def check_production(config: dict, ping) -> None:
    """Refuse to start a production server with a guessable secret key or a database it cannot reach; warn when its
    login limits are counted per process."""
    if config.get("ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_KEY_LENGTH or key.lower() in WEAK_KEYS or len(set(key)) < 10:
        raise SystemExit(
            "SECRET_KEY est trop faible pour la production : au moins 32 caractères aléatoires "
            '(par exemple : python -c "import secrets; print(secrets.token_hex(32))").'
        )
    try:
        ping()
    except Exception as error:  # noqa: BLE001 - any failure means the server cannot work
        raise SystemExit(
            f"La base de données de DATABASE_URL ne répond pas ({type(error).__name__}) : le serveur ne démarre pas."
        ) from None
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory://"):
        log.warning(
            "Limites de connexion comptées par processus (RATELIMIT_STORAGE_URI=memory://) : avec plusieurs workers, "
            "elles sont multipliées d'autant ; utilisez un stockage partagé (redis://…)."
        )


def init_app(server: Flask) -> None:
    configure_logging(server.config.get("LOG_LEVEL", "INFO"))
    server.before_request(_start_request)
    server.before_request(_api_not_found)
    server.after_request(_tag_response)
    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(SQLAlchemyError, _database_error)
    server.register_error_handler(Exception, _unexpected_error)
