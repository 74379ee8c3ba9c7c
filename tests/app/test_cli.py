"""The account and database commands, through Flask's CLI runner."""

from sqlalchemy import select

from db.models import User
from tests.conftest import PASSWORD


def run(app, *args, input=None):
    return app.server.test_cli_runner().invoke(args=list(args), input=input)


def test_create_user_reads_password_from_stdin(app, database):
    result = run(
        app,
        "create-user",
        "--email",
        "Marie@Example.org",
        "--name",
        "Marie",
        "--role",
        "coordinator",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    with database.session() as session:
        user = session.scalar(select(User))
    assert (user.email, user.role) == ("marie@example.org", "coordinator")
    assert PASSWORD not in user.password_hash


def test_create_user_rejects_short_password_and_writes_nothing(app, database):
    result = run(
        app,
        "create-user",
        "--email",
        "a@example.org",
        "--name",
        "A",
        "--role",
        "viewer",
        "--password-stdin",
        input="court\n",
    )
    assert result.exit_code == 1
    assert "au moins 10 caractères" in result.output
    with database.session() as session:
        assert session.scalar(select(User)) is None


def test_list_set_role_and_deactivate(app, database, users):
    assert "viewer@example.org" in run(app, "list-users").output
    assert run(app, "set-role", "--email", "viewer@example.org", "--role", "coordinator").exit_code == 0
    assert run(app, "deactivate-user", "--email", "viewer@example.org").exit_code == 0
    with database.session() as session:
        user = session.scalar(select(User).where(User.email == "viewer@example.org"))
    assert (user.role, user.active) == ("coordinator", False)
    missing = run(app, "set-role", "--email", "nobody@example.org", "--role", "admin")
    assert missing.exit_code == 1 and "aucun compte" in missing.output


def test_seed_demo_only_into_an_empty_database(app, database, users):
    refused = run(app, "seed-demo")
    assert refused.exit_code == 1 and "pas vide" in refused.output
    skipped = run(app, "seed-demo", "--if-empty")
    assert skipped.exit_code == 0 and "déjà des données" in skipped.output
    with database.session() as session:
        assert session.scalar(select(User).where(User.email.like("%@demo.mednum42.fr"))) is None


def test_seed_demo_prints_the_demo_accounts(app, database):
    result = run(app, "seed-demo", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "admin@demo.mednum42.fr" in result.output and "demo-admin-42" in result.output
    with database.session() as session:
        assert session.scalar(select(User).where(User.email == "admin@demo.mednum42.fr")).role == "admin"


def test_import_lettres_keeps_good_rows_and_lists_the_rejected(app, database, users, tmp_path):
    from db import lettres
    from db.models import SubscriberSnapshot

    with database.transaction() as session:
        lettres.save_newsletter(session, users["coordinator"], name="La Lettre du réseau")
    good = tmp_path / "abonnes.csv"
    good.write_text("lettre;date;abonnes\nLa Lettre du réseau;2025-12-31;323\nInconnue;2025-12-31;3\n", "utf-8")
    result = run(app, "import-lettres", "abonnes", str(good), "--dry-run")
    assert result.exit_code == 0 and "Simulation : rien n'a été enregistré." in result.output
    with database.session() as session:
        assert session.query(SubscriberSnapshot).count() == 0
    result = run(app, "import-lettres", "abonnes", str(good))
    assert result.exit_code == 0, result.output
    assert "Lignes : 2 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s), 1 avertissement(s)." in result.output
    assert "ligne 3, champ « lettre » : lettre « Inconnue » inconnue : créée" in result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("nom;valeur\nx;1\n", "utf-8")
    result = run(app, "import-lettres", "abonnes", str(bad))
    assert (
        result.exit_code == 1 and "fichier inutilisable" in result.output and "colonne(s) manquante(s)" in result.output
    )
    rejected = tmp_path / "rejected.csv"
    rejected.write_text("lettre;date;abonnes\nInconnue;2099-01-01;3\n", "utf-8")
    result = run(app, "import-lettres", "abonnes", str(rejected))
    assert result.exit_code == 1 and "Rien n'a été importé." in result.output  # every row rejected
    mapped = tmp_path / "mapped.csv"
    mapped.write_text("Liste;Jour;Total\nLa Lettre du réseau;2025-11-30;300\n", "utf-8")
    result = run(
        app,
        "import-lettres",
        "abonnes",
        str(mapped),
        "--map",
        "lettre=Liste",
        "--map",
        "date=Jour",
        "--map",
        "abonnes=Total",
    )
    assert result.exit_code == 0 and "1 créé(s)" in result.output, result.output
    with database.session() as session:
        assert session.query(SubscriberSnapshot).count() == 3
