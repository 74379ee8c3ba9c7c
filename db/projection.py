"""Projection: the kiosk's settings read from its URL, and the revocable read-only links that open it on a
meeting-room screen without a personal login.

A link carries a long random token. Only its sha256 is stored, so the database never holds a usable link: the
token is shown once, when an admin creates it. A revoked token is refused at the screen's next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import clock, fields
from db.models import ProjectionToken, Role, User
from db.writes import Actor, ValidationError, audit, require_role, snapshot

# --- settings from the URL ----------------------------------------------------------------------------------------

SLIDES = {
    "chiffres": "Chiffres clés",
    "carte": "Carte des lieux",
    "agenda": "Prochains événements",
    "materiel": "Matériel",
    "formations": "Formations",
    "lettres": "Lettres d'information",
}
THEMES = {"sombre": "Sombre", "clair": "Clair"}
ROTATE_RANGE = (5, 600)  # seconds per slide
REFRESH_RANGE = (1, 120)  # minutes between data refreshes


@dataclass(frozen=True)
class Settings:
    slides: tuple[str, ...] = tuple(SLIDES)
    rotate: int = 20
    refresh: int = 5
    theme: str = "sombre"
    filters: bool = False  # show the settings panel (for whoever sets the screen up), not the bare kiosk

    def query(self) -> str:
        """The URL query string that opens these settings (the `filters` panel is left out)."""
        return urlencode(
            {"slides": ",".join(self.slides), "rotate": self.rotate, "refresh": self.refresh, "theme": self.theme}
        )


def _bounded(value, default: int, bounds: tuple[int, int]) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return default
    return min(max(number, bounds[0]), bounds[1])


def parse_settings(params: dict) -> Settings:
    """Settings from URL parameters; unknown slides are dropped, numbers are kept within bounds, anything
    unreadable falls back to the default, so a screen always shows something."""
    default = Settings()
    raw = params.get("slides") or ""
    if isinstance(raw, list):  # a repeated parameter (?slides=a&slides=b)
        raw = ",".join(raw)
    slides = tuple(dict.fromkeys(s.strip() for s in str(raw).split(",") if s.strip() in SLIDES))
    theme = params.get("theme")
    return Settings(
        slides=slides or default.slides,
        rotate=_bounded(params.get("rotate"), default.rotate, ROTATE_RANGE),
        refresh=_bounded(params.get("refresh"), default.refresh, REFRESH_RANGE),
        theme=theme if theme in THEMES else default.theme,
        filters=params.get("filters") == "on",
    )


# --- projection links ---------------------------------------------------------------------------------------------

TOKEN_BYTES = 32  # 256 bits of randomness, 43 URL-safe characters


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, actor: Actor, *, label=None, query=None) -> tuple[ProjectionToken, str]:
    """A new link (admins only). Returns the row and the token itself, which is never stored nor shown again."""
    require_role(actor, Role.ADMIN)
    label = label.strip() if isinstance(label, str) else ""
    query = query if isinstance(query, str) else ""
    errors = {}
    if not label:
        errors["label"] = "Donner un nom à ce lien (par exemple l'écran ou la salle)."
    elif len(label) > 200:
        errors["label"] = "200 caractères au plus."
    if len(query or "") > 500:
        errors["query"] = "Réglages trop longs (500 caractères au plus)."
    if errors:
        raise ValidationError(errors)
    settings = parse_settings(dict(parse_qsl((query or "").lstrip("?"))))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = ProjectionToken(label=label, token_hash=hash_token(token), query=settings.query(), created_by=actor.id)
    session.add(row)
    audit(session, actor, row, "create")
    return row, token


def revoke_token(session: Session, actor: Actor, *, token_id=None) -> ProjectionToken:
    require_role(actor, Role.ADMIN)
    key = fields.record_key(token_id)
    row = session.get(ProjectionToken, key, with_for_update=True) if key else None
    if row is None:
        raise ValidationError({"token_id": "Lien de projection introuvable."})
    if row.revoked_at is None:
        before = snapshot(row)
        row.revoked_at = clock.utcnow()
        audit(session, actor, row, "revoke", before=before)
    return row


def active_token(session: Session, token_hash: str | None) -> ProjectionToken | None:
    """The link with this hash if it exists and is not revoked."""
    if not token_hash:
        return None
    return session.scalar(
        select(ProjectionToken).where(ProjectionToken.token_hash == token_hash, ProjectionToken.revoked_at.is_(None))
    )


def resolve_token(session: Session, token: str | None) -> ProjectionToken | None:
    return active_token(session, hash_token(token)) if token else None


def list_tokens(session: Session) -> pd.DataFrame:
    """Every link, newest first: id, label, query, created_at, created_by (name), revoked_at."""
    rows = session.execute(
        select(
            ProjectionToken.id,
            ProjectionToken.label,
            ProjectionToken.query,
            ProjectionToken.created_at,
            User.name,
            ProjectionToken.revoked_at,
        )
        .outerjoin(User, User.id == ProjectionToken.created_by)
        .order_by(ProjectionToken.created_at.desc(), ProjectionToken.id.desc())
    ).all()
    return pd.DataFrame(rows, columns=["id", "label", "query", "created_at", "created_by", "revoked_at"])
