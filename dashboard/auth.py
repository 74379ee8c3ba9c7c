"""Login, logout and the one guard in front of every route.

Sessions are Flask's signed cookies naming the account and its session version; the user is reloaded from the
database on each request, so any worker of a gunicorn pool serves any user, and a logout, a new password, a role
change or a deactivation ends every session of the account at its next request (a copied cookie included). A
session also ends after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after its login.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from flask import (
    Flask,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect, generate_csrf

from dashboard import access
from db import clock, revisions
from db import projection as projection_db
from db import users as user_db
from db.writes import ROLE_LABELS

login_manager = LoginManager()
csrf = CSRFProtect()

# Reachable without a login: static files, the login form itself, the health check. Other public routes (open data)
# declare themselves with `public`.
OPEN_PREFIXES = ("/assets/", "/_dash-component-suites/", "/_favicon.ico")
OPEN_ENDPOINTS = {"login", "healthz", "static"}
CSRF_COOKIE = "_csrf_token"  # the cookie dash-renderer copies into its X-CSRFToken header


def public(view):
    """Mark a Flask view as open without login (open-data routes)."""
    view.is_public = True
    return view


def database():
    return current_app.extensions["database"]


@login_manager.user_loader
def load_user(session_id: str):
    """The request's account, read on the same connection as the data's revision tokens its callbacks key their
    kept answers with (`revision_tokens`): a request served from kept answers reads the database once."""
    with database().connect() as connection:
        tokens = revision_tokens(connection)
        return user_db.signed_in(connection, session_id, tokens[revisions.ACCOUNTS])


def revision_tokens(connection=None) -> dict[str, str]:
    """Every area's revision token, read once per request (by `load_user` when someone is logged in)."""
    if "revision_tokens" not in g:
        if connection is None:
            with database().connect() as own:
                g.revision_tokens = revisions.tokens(own)
        else:
            g.revision_tokens = revisions.tokens(connection)
    return g.revision_tokens


SESSION_EXPIRED = "Votre session a expiré : reconnectez-vous."
SESSION_TIMES = ("session_since", "session_seen")  # login and latest request, as UTC timestamps


def _session_ended() -> bool:
    """The person's session outlived its idle or absolute limit; otherwise its latest request is noted."""
    now = clock.utcnow().timestamp()
    since, seen = (session.get(key) for key in SESSION_TIMES)
    config = current_app.config
    if since is None or seen is None:
        return True
    if now - seen > 60 * config["SESSION_IDLE_MINUTES"] or now - since > 3600 * config["SESSION_MAX_HOURS"]:
        return True
    if now - seen > 60:  # a new cookie a minute at most, not one per callback
        session["session_seen"] = now
    return False


def _is_public_request() -> bool:
    if request.path.startswith(OPEN_PREFIXES) or request.endpoint in OPEN_ENDPOINTS:
        return True
    view = current_app.view_functions.get(request.endpoint or "")
    return bool(getattr(view, "is_public", False))


# --- projection screens: a revocable link opens /projection and its own callbacks, nothing else ----------------------

PROJECTION_PATH = "/projection"
PROJECTION_KEY = "projection_token"  # session key holding the sha256 of the screen's link token


def _projection_screen_allowed() -> bool:
    """An anonymous request from a screen holding a link that is still valid, for the projection only."""
    token_hash = session.get(PROJECTION_KEY)
    if not token_hash:
        return False
    with database().session() as db_session:
        link = projection_db.active_token(db_session, token_hash)
    if link is None:  # revoked since: the screen is out at once
        session.pop(PROJECTION_KEY, None)
        return False
    g.screen_settings = projection_db.parse_settings(parse_qs_flat(link.query))
    if request.method == "GET":  # the page, and the places its Carte slide draws (open data anyway)
        return request.path in (PROJECTION_PATH, "/_dash-layout", "/_dash-dependencies", "/api/carte/points.json")
    body = request.get_json(silent=True)
    if request.path != "/_dash-update-component" or access.required_role(current_app, body) != access.SCREEN:
        return False
    if not access.well_formed(current_app.extensions["dash"].callback_map, body):
        return False
    # Dash's page routing runs for a screen only to show the projection page.
    inputs = body.get("inputs") or [{}]
    first = inputs[0] if isinstance(inputs, list) and isinstance(inputs[0], dict) else {}
    routing = set(access.output_names(body["output"])) == access.PAGES_OUTPUTS
    return not routing or (first.get("property") == "pathname" and first.get("value") == PROJECTION_PATH)


def screen_slides() -> frozenset[str] | None:
    """The slides the screen link of this request was made for; None for a person logged in (every slide)."""
    settings = g.get("screen_settings")
    return None if settings is None else frozenset(settings.slides)


def parse_qs_flat(query: str) -> dict[str, str]:
    return {key: values[-1] for key, values in parse_qs(query).items()}


def _open_projection_link():
    """`/projection?jeton=…`: remember the link in the screen's session and open its settings, token out of the
    address bar. None when the request carries no valid link."""
    if request.path != PROJECTION_PATH or "jeton" not in request.args:
        return None
    with database().session() as db_session:
        link = projection_db.resolve_token(db_session, request.args["jeton"])
    if link is None:
        flash("Ce lien de projection n'est pas valide ou a été révoqué.", "warning")
        return None
    session[PROJECTION_KEY] = link.token_hash
    session.permanent = True  # the screen keeps its link across browser restarts
    return redirect(f"{PROJECTION_PATH}?{link.query}")


def is_projection_screen() -> bool:
    return not current_user.is_authenticated and bool(session.get(PROJECTION_KEY))


def guard():
    """Anonymous requests: pages redirect to /login, Dash and API endpoints answer 401. A projection screen's
    link opens only the projection page and its callbacks. A callback runs only for the role it declared."""
    if _is_public_request():
        return None
    if current_user.is_authenticated:
        if _session_ended():
            logout_user()
            return _ask_to_log_in(SESSION_EXPIRED)
        return _refuse_unreadable_callback()
    opened = _open_projection_link()
    if opened is not None:
        return opened
    if _projection_screen_allowed():
        return None
    # A cookie naming an account whose sessions have ended since (logout elsewhere, new password…): say it expired.
    return _ask_to_log_in(SESSION_EXPIRED if session.get("_user_id") else None)


CALLBACK_REFUSED = "Ces données sont réservées à un autre rôle que le vôtre."


def _refuse_unreadable_callback():
    """A callback runs only if it declared a role (default deny) that the person's role reaches."""
    if request.path != "/_dash-update-component":
        return None
    body = request.get_json(silent=True)
    required = access.required_role(current_app, body)
    if required is None or not access.well_formed(current_app.extensions["dash"].callback_map, body):
        return jsonify(error="Requête incomplète ou inconnue."), 400
    if not access.may(current_user.role, required):
        return jsonify(error=CALLBACK_REFUSED), 403
    return None


def _ask_to_log_in(message: str | None = None):
    """Callbacks and API answer 401 (the page's script says it in French and keeps what was typed); pages go to the
    login form, back here once logged in."""
    if request.path.startswith(("/_dash-", "/_reload-hash", "/api/")):
        return jsonify(error=message or "Connectez-vous pour accéder à ces données."), 401
    if message:
        flash(message, "warning")
    return redirect(url_for("login", next=request.full_path.rstrip("?")))


def set_csrf_cookie(response):
    """Give dash-renderer the token it sends back as X-CSRFToken on every callback. A callback's own answer needs
    none: its request passed the check with the cookie it has (the token lives as long as the session)."""
    if request.path == "/_dash-update-component":
        return response
    if current_user.is_authenticated or is_projection_screen():
        response.set_cookie(
            CSRF_COOKIE, generate_csrf(), samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"]
        )
    return response


def _safe_next(target: str | None) -> str:
    """Only local paths: a crafted `next` must not send the user to another site."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _submitted_email() -> str:
    return user_db.normalise_email(request.form.get("email")) or get_remote_address()


def _failed_login(response) -> bool:
    return response.status_code != 302


def login():
    if request.method == "POST":
        with database().transaction() as session:
            user = user_db.authenticate(session, request.form.get("email", ""), request.form.get("password", ""))
        if user is not None:
            start_session(user)
            return redirect(_safe_next(request.args.get("next")))
        flash("Adresse e-mail ou mot de passe incorrect.", "danger")
        return render_template("login.html", email=request.form.get("email", "")), 200
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", email="")


def start_session(user) -> None:
    """Log `user` in (again, after a change of its session version) with fresh session times."""
    login_user(user)
    now = clock.utcnow().timestamp()
    session.update(dict.fromkeys(SESSION_TIMES, now))


def logout():
    if current_user.is_authenticated:
        with database().transaction() as db_session:
            user_db.sign_out(db_session, current_user.get_id())
    logout_user()
    flash("Vous êtes déconnecté·e.", "info")
    response = redirect(url_for("login"))
    response.delete_cookie(CSRF_COOKIE)
    return response


def _too_many_attempts(_error):
    flash("Trop de tentatives de connexion. Réessayez dans une minute.", "danger")
    return render_template("login.html", email=request.form.get("email", "")), 429


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def init_app(server: Flask) -> None:
    login_manager.init_app(server)
    login_manager.login_view = "login"
    # A limiter per app: failed logins are counted per IP and per account, only failures count.
    limiter = Limiter(get_remote_address, app=server)
    limited_login = limiter.limit(server.config["LOGIN_RATE_LIMIT"], methods=["POST"], deduct_when=_failed_login)(
        limiter.limit(
            server.config["LOGIN_RATE_LIMIT"],
            methods=["POST"],
            key_func=_submitted_email,
            scope="login-account",
            deduct_when=_failed_login,
        )(login)
    )
    server.add_url_rule("/login", "login", limited_login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "logout", logout, methods=["POST"])
    server.register_error_handler(429, _too_many_attempts)
    server.after_request(set_csrf_cookie)


def protect(server: Flask) -> None:
    """The guard, then CSRF, in front of every request; called once Dash has added its own first-request hooks
    (they register Dash's page routing callback, which the guard must know)."""
    server.before_request(guard)  # before CSRF: an anonymous request is told to log in, not that its token is bad
    csrf.init_app(server)
