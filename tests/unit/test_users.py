import pytest
from werkzeug.security import check_password_hash

from db.models import AuditLog, Role, User
from db.users import authenticate, create_user, set_active, set_role
from db.writes import PermissionDenied, ValidationError
from tests.conftest import PASSWORD


def test_create_user_hashes_password_and_audits(database, users):
    with database.session() as session:
        user = session.get(User, users["coordinator"].id)
        assert PASSWORD not in user.password_hash and check_password_hash(user.password_hash, PASSWORD)
        assert session.query(AuditLog).filter_by(table_name="users", action="create").count() == 3
        assert "password_hash" not in session.query(AuditLog).first().after


def test_authenticate(database, users):
    with database.transaction() as session:
        assert authenticate(session, "VIEWER@example.org ", PASSWORD).id == users["viewer"].id
        assert authenticate(session, "viewer@example.org", "wrong password") is None
        assert authenticate(session, "nobody@example.org", PASSWORD) is None


def test_deactivated_user_cannot_log_in(database, users):
    with database.transaction() as session:
        set_active(session, users["admin"], users["viewer"].id, False)
    with database.transaction() as session:
        assert authenticate(session, "viewer@example.org", PASSWORD) is None


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_only_admin_creates_users(database, users, role):
    with database.transaction() as session, pytest.raises(PermissionDenied):
        create_user(session, users[role], email="x@example.org", name="X", role="viewer", password=PASSWORD)


def test_create_user_validation_messages(database, users):
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        create_user(session, users["admin"], email="viewer@example.org", name=" ", role="boss", password="short")
    assert set(error.value.errors) == {"email", "name", "role", "password"}
    assert "existe déjà" in error.value.errors["email"]
    with database.session() as session:
        assert session.query(User).count() == 3


def test_admin_cannot_demote_self(database, users):
    with database.transaction() as session, pytest.raises(ValidationError):
        set_role(session, users["admin"], users["admin"].id, Role.VIEWER)


def test_production_hashing_uses_scrypt():
    from db.users import _DUMMY_HASH

    # Hashed at import time with the module's own default, before any test patched it.
    assert _DUMMY_HASH.startswith("scrypt:")
