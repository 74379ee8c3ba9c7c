"""Configuration read from the environment, with defaults that make `make run` work on a fresh machine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))

# Offline fallback: no tiles. The map still draws its outline, scale and points.
DEFAULT_TILE_URL = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"


def _development_secret_key() -> str:
    """A key generated once into instance/, so sessions survive restarts and every local worker shares it."""
    path = INSTANCE / "secret_key"
    if not path.exists():
        INSTANCE.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    ENV = os.environ.get("APP_ENV", "development")
    DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{INSTANCE / 'mednum.sqlite'}"
    TILE_URL = os.environ.get("TILE_URL", DEFAULT_TILE_URL)
    TILE_ATTRIBUTION = os.environ.get("TILE_ATTRIBUTION", "© contributeurs OpenStreetMap")
    # The Loire's outline ships with the app (Licence Ouverte, geo.api.gouv.fr): a base even without tiles. A file
    # of commune polygons (with their INSEE code) also draws the IFN as a choropleth; "" for no outline.
    OUTLINE_GEOJSON = os.environ.get(
        "OUTLINE_GEOJSON", str(ROOT / "dashboard" / "data" / "departement-42-loire.geojson")
    )
    PORT = int(os.environ.get("PORT", "8050"))
    # The network's time zone: days, months and years of every figure start at its midnight (storage stays UTC).
    TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Paris")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    # A session ends after this long without a request, and this long after its login (kiosk links excepted).
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "480"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    # Rate limits are shared between workers only with a shared store (e.g. redis://); memory is per process.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "5 per minute")
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host headers are trusted (0: none, the
    # headers are ignored, since any client could send them).
    PROXY_FIX = int(os.environ.get("PROXY_FIX", "0"))
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")

    def __init__(self):
        key = os.environ.get("SECRET_KEY")
        if not key:
            if self.ENV == "production":
                raise RuntimeError("SECRET_KEY must be set in production (APP_ENV=production).")
            key = _development_secret_key()
        self.SECRET_KEY = key
        if self.ENV == "production":
            self.SESSION_COOKIE_SECURE = self.REMEMBER_COOKIE_SECURE = True

    def as_dict(self) -> dict:
        return {key: getattr(self, key) for key in dir(self) if key.isupper()}


class TestConfig(Config):
    TESTING = True
    TILE_URL = ""  # tests run offline: no tile layer at all
    PROXY_FIX = 0

    def __init__(self, database_url: str, **overrides):  # noqa: D107 - no environment lookup in tests
        self.SECRET_KEY = "test-secret-key"  # noqa: S105 - tests only
        self.DATABASE_URL = database_url
        for key, value in overrides.items():
            setattr(self, key, value)
