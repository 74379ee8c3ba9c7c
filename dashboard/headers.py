"""Security headers on every response, set by Flask-Talisman: a Content-Security-Policy that Dash, Plotly and the
map work under, no framing by other sites, no MIME sniffing, a strict referrer policy, HSTS in production.

Dash's inline scripts (its renderer and the clientside callbacks) are allowed by their hashes, computed once all
callbacks are registered; no other inline script runs. Styles stay `'unsafe-inline'`: Dash, Plotly and Leaflet set
style attributes from script.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_talisman import Talisman


def _tile_origin(tile_url: str) -> list[str]:
    """The tile server's origin with its `{s}` subdomains, for img-src."""
    if not tile_url:
        return []
    parts = urlsplit(tile_url)
    return [f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"] if parts.scheme and parts.netloc else []


def policy(script_hashes: list[str], tile_url: str) -> dict:
    return {
        "default-src": "'self'",
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *_tile_origin(tile_url)],
        "font-src": ["'self'", "data:"],
        "connect-src": "'self'",
        "worker-src": ["'self'", "blob:"],
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
    }


def init_app(app) -> None:
    """`app`: the Dash app, once its callbacks are registered."""
    server = app.server
    production = server.config["ENV"] == "production"
    talisman = Talisman(
        server,
        content_security_policy=policy(app.csp_hashes(), server.config["TILE_URL"]),
        frame_options="SAMEORIGIN",
        referrer_policy="strict-origin-when-cross-origin",
        force_https=False,  # TLS ends at the reverse proxy (README); it redirects http itself
        strict_transport_security=production,
        session_cookie_secure=server.config["SESSION_COOKIE_SECURE"],
        session_cookie_http_only=True,
    )

    def hash_late_scripts():
        """Dash adds the page router's clientside callback at its first request: hash it too, once."""
        if not getattr(talisman, "hashed_late_scripts", False):
            talisman.content_security_policy = policy(app.csp_hashes(), server.config["TILE_URL"])
            talisman.hashed_late_scripts = True

    server.before_request(hash_late_scripts)  # after Dash's own first-request hooks
