"""Projection: settings read from the URL, and the screen links (admins only, hash stored, revocable, audited)."""

import hashlib

import pytest
from sqlalchemy import select

from db import projection
from db.models import AuditLog, ProjectionToken
from db.writes import PermissionDenied, ValidationError


def test_default_settings():
    settings = projection.parse_settings({})
    assert settings == projection.Settings(tuple(projection.SLIDES), 20, 5, "sombre", False)


def test_url_parameters_are_read():
    settings = projection.parse_settings(
        {"slides": "agenda,carte,chiffres", "rotate": "7", "refresh": "2", "theme": "clair", "filters": "on"}
    )
    assert settings == projection.Settings(("agenda", "carte", "chiffres"), 7, 2, "clair", True)
    assert settings.query() == "slides=agenda%2Ccarte%2Cchiffres&rotate=7&refresh=2&theme=clair"
    assert projection.parse_settings({"slides": ["lettres", "carte"]}).slides == ("lettres", "carte")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"slides": "inconnue, carte ,carte"}, {"slides": ("carte",)}),
        ({"slides": "inconnue"}, {"slides": tuple(projection.SLIDES)}),
        ({"rotate": "1"}, {"rotate": 5}),
        ({"rotate": "100000"}, {"rotate": 600}),
        ({"rotate": "vite"}, {"rotate": 20}),
        ({"refresh": "0"}, {"refresh": 1}),
        ({"theme": "rose", "filters": "oui"}, {"theme": "sombre", "filters": False}),
    ],
)
def test_bad_parameters_fall_back_to_something_that_runs(params, expected):
    settings = projection.parse_settings(params)
    assert {key: getattr(settings, key) for key in expected} == expected


def test_admin_creates_a_link_whose_token_is_never_stored(database, users):
    with database.transaction() as session:
        link, token = projection.create_token(
            session, users["admin"], label=" Salle du conseil ", query="?slides=carte&rotate=3&theme=clair"
        )
    assert len(token) >= 43
    with database.session() as session:
        row = session.get(ProjectionToken, link.id)
        audit = session.scalars(select(AuditLog).where(AuditLog.table_name == "projection_tokens")).all()
        assert projection.resolve_token(session, token).id == link.id
        assert projection.resolve_token(session, token + "x") is None
        assert projection.resolve_token(session, "") is None
    assert row.label == "Salle du conseil" and row.created_by == users["admin"].id
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(vars(row)) and token not in str(audit[0].after)
    assert row.query == "slides=carte&rotate=5&refresh=5&theme=clair"  # normalised: 3 s is below the minimum
    assert [a.action for a in audit] == ["create"]


def test_revoked_link_no_longer_resolves(database, users):
    with database.transaction() as session:
        link, token = projection.create_token(session, users["admin"], label="Accueil")
    with database.transaction() as session:
        projection.revoke_token(session, users["admin"], token_id=str(link.id))
    with database.session() as session:
        assert projection.resolve_token(session, token) is None
        assert projection.list_tokens(session).loc[0, "revoked_at"] is not None
        actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["create", "revoke"]


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_only_admins_create_or_revoke_links(database, users, role):
    with database.transaction() as session, pytest.raises(PermissionDenied):
        projection.create_token(session, users[role], label="Écran")
    with database.transaction() as session:
        link, _token = projection.create_token(session, users["admin"], label="Écran")
    with database.transaction() as session, pytest.raises(PermissionDenied):
        projection.revoke_token(session, users[role], token_id=link.id)


@pytest.mark.parametrize(
    ("values", "field"),
    [({"label": "  "}, "label"), ({"label": "x" * 201}, "label"), ({"label": "Écran", "query": "a" * 501}, "query")],
)
def test_bad_link_input_writes_nothing(database, users, values, field):
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        projection.create_token(session, users["admin"], **values)
    assert field in error.value.errors
    with database.session() as session:
        assert session.scalar(select(ProjectionToken)) is None


def test_revoking_an_unknown_link_is_refused(database, users):
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        projection.revoke_token(session, users["admin"], token_id="999")
    assert error.value.errors == {"token_id": "Lien de projection introuvable."}
