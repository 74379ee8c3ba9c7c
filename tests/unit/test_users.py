import pytest
from werkzeug.security import check_password_hash

from db.models import AuditLog, Role, User
from db.users import authenticate, create_user, set_active, set_role
from db.writes import SYSTEM, PermissionDenied, ValidationError
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


def _accounts(database, count: int) -> None:
    from sqlalchemy import insert

    rows = [
        {"email": f"compte{n:03d}@reseau.example.org", "name": f"Compte {n:03d}", "password_hash": "x",
         "role": ["viewer", "coordinator", "admin"][n % 3], "active": n % 10 != 0}
        for n in range(count)
    ]  # fmt: skip
    with database.transaction() as session:
        session.execute(insert(User), rows)


def test_accounts_are_read_a_page_at_a_time_filtered_and_sorted(database):
    from db.users import accounts_page

    _accounts(database, 130)
    with database.session() as session:
        first = accounts_page(session, 0)
        last = accounts_page(session, 5)
        admins = accounts_page(session, 0, role="admin", active=True)
        found = accounts_page(session, 0, text="COMPTE 12")
        by_role = accounts_page(session, 0, sort="role")
        by_email = accounts_page(session, 2, sort="email")
    assert (first.total, first.pages, len(first.rows)) == (130, 3, 50)
    assert first.rows["name"].tolist()[:2] == ["Compte 000", "Compte 001"]
    assert (last.number, last.first, len(last.rows)) == (2, 101, 30)  # past the end: the last page
    assert admins.total == sum(1 for n in range(130) if n % 3 == 2 and n % 10) and set(admins.rows["role"]) == {"admin"}
    assert found.rows["name"].tolist() == [f"Compte {n}" for n in range(120, 130)]
    assert by_role.rows["role"].iloc[0] == "admin"
    assert by_email.rows["email"].iloc[-1] == "compte129@reseau.example.org"


def test_account_search_takes_wildcards_literally(database):
    from db.users import accounts_page

    _accounts(database, 3)
    with database.transaction() as session:
        create_user(session, SYSTEM, email="cent_pour_cent@example.org", name="100 % numérique", role="viewer",
                    password=PASSWORD)  # fmt: skip
    with database.session() as session:
        assert accounts_page(session, 0, text="%").rows["name"].tolist() == ["100 % numérique"]
        assert accounts_page(session, 0, text="t_p").total == 1


def test_journal_is_read_a_page_at_a_time_in_french_terms(database, users):
    from db.users import journal_page

    with database.transaction() as session:
        for n in range(60):
            create_user(session, users["admin"], email=f"u{n}@example.org", name=f"U {n}", role="viewer",
                        password=PASSWORD)  # fmt: skip
        set_role(session, users["admin"], users["viewer"].id, "coordinator")
    with database.session() as session:
        recent = journal_page(session, 0)
        oldest = journal_page(session, 0, sort="oldest")
        updates = journal_page(session, 0, table="users", action="update")
        by_cli = journal_page(session, 0, who="ligne de")  # SYSTEM (« Ligne de commande ») made the fixtures' accounts
        by_admin = journal_page(session, 1, who="ADMIN@")
    assert recent.total == 3 + 60 + 1 and len(recent.rows) == 50
    assert recent.rows["action"].iloc[0] == "update" and oldest.rows["user_email"].iloc[0] == "cli"
    assert updates.total == 1 and updates.rows["row_id"].tolist() == [str(users["viewer"].id)]
    assert by_cli.total == 3 and set(by_cli.rows["user_email"]) == {"cli"}
    assert (by_admin.total, by_admin.number, len(by_admin.rows)) == (61, 1, 11)


def test_every_audited_table_has_a_french_name():
    from db.models import Base
    from db.writes import TABLE_LABELS

    technical = {"audit_log", "form_submissions", "data_revisions", "register_history", "place_values"}
    assert set(TABLE_LABELS) == {table.name for table in Base.metadata.sorted_tables} - technical


def test_the_account_of_a_request_is_kept_until_the_accounts_change(database, users):
    from db import revisions
    from db.users import signed_in

    def read(session_id):
        with database.connect() as connection:
            return signed_in(connection, session_id, revisions.tokens(connection)[revisions.ACCOUNTS])

    viewer = users["viewer"]
    first = read(viewer.get_id())
    assert (first.id, first.role, first.get_id(), first.is_active) == (viewer.id, "viewer", viewer.get_id(), True)
    assert read(viewer.get_id()) is first  # kept: nothing changed
    with database.transaction() as session:  # a change that ends no session: seen at the next request all the same
        session.get(User, viewer.id).name = "Nouveau nom"
    assert read(viewer.get_id()).name == "Nouveau nom"
    with database.transaction() as session:
        set_role(session, users["admin"], viewer.id, "coordinator")
    assert read(viewer.get_id()) is None  # its sessions ended
    assert read(f"{viewer.id}:999") is None and read("x:1") is None
