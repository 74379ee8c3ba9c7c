"""Database and account commands: init-db, seed-demo, create-user, list-users, set-role, deactivate-user."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app

from dashboard.config import ROOT
from db import clock
from db import users as user_db
from db.models import Place, Role, User
from db.writes import SYSTEM, PermissionDenied, ValidationError

ROLES = click.Choice([role.value for role in Role])


def database():
    return current_app.extensions["database"]


def upgrade_database(url: str) -> None:
    """Run the Alembic migrations up to the latest revision."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["database_url"] = url
    command.upgrade(config, "head")


def _fail(error: Exception) -> None:
    messages = error.errors.values() if isinstance(error, ValidationError) else [str(error)]
    for message in messages:
        click.echo(f"Erreur : {message}", err=True)
    sys.exit(1)


def _find_user(session, email: str) -> User:
    user = user_db.find_by_email(session, email)
    if user is None:
        click.echo(f"Erreur : aucun compte pour {email}.", err=True)
        sys.exit(1)
    return user


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Mot de passe", hide_input=True, confirmation_prompt=True)


def register(server: Flask) -> None:
    @server.cli.command("init-db")
    def init_db():
        """Crée ou met à jour le schéma de la base (migrations Alembic) et charge le référentiel national des communes."""
        from db.communes import load_communes

        upgrade_database(database().url)
        with database().transaction() as session:
            report = load_communes(session)
        click.echo("Base de données à jour.")
        click.echo(report.summary)

    @server.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Ne rien faire si la base contient déjà des données.")
    def seed_demo(if_empty: bool):
        """Remplit une base vide avec le réseau de démonstration et affiche les comptes de démonstration."""
        from db.demo import DEMO_ACCOUNTS, seed_demo

        with database().session() as session:
            has_data = session.query(User.id).first() is not None or session.query(Place.pk).first() is not None
            has_demo_accounts = user_db.find_by_email(session, DEMO_ACCOUNTS[0][0]) is not None
        if has_data and not if_empty:
            click.echo(
                "Erreur : la base n'est pas vide ; le jeu de démonstration ne se charge que dans une base vide.",
                err=True,
            )
            sys.exit(1)
        if has_data:
            click.echo("La base contient déjà des données : jeu de démonstration non rechargé.")
        else:
            with database().transaction() as session:
                counts = seed_demo(session, clock.today())
            click.echo("Jeu de démonstration chargé : " + ", ".join(f"{k} {v}" for k, v in counts.items()))
            has_demo_accounts = True
        if has_demo_accounts:
            click.echo("Comptes de démonstration (e-mail / mot de passe) :")
            for email, _name, role, password in DEMO_ACCOUNTS:
                click.echo(f"  {role:<12} {email:<36} {password}")

    @server.cli.command("create-user")
    @click.option("--email", required=True, help="Adresse e-mail (identifiant de connexion).")
    @click.option("--name", required=True, help="Nom affiché.")
    @click.option("--role", type=ROLES, required=True, help="Rôle du compte.")
    @click.option("--password-stdin", is_flag=True, help="Lire le mot de passe sur l'entrée standard.")
    def create_user(email, name, role, password_stdin):
        """Crée un compte (le mot de passe est demandé, jamais passé en argument)."""
        password = _read_password(password_stdin)
        try:
            with database().transaction() as session:
                user = user_db.create_user(session, SYSTEM, email=email, name=name, role=role, password=password)
        except (ValidationError, PermissionDenied) as error:
            _fail(error)
        click.echo(f"Compte créé : {user.email} ({user.role}).")

    @server.cli.command("list-users")
    def list_users():
        """Liste les comptes."""
        with database().session() as session:
            frame = user_db.list_users(session)
        for row in frame.itertuples():
            state = "actif" if row.active else "désactivé"
            click.echo(f"{row.email:<40} {row.role:<12} {state:<10} {row.name}")

    @server.cli.command("set-role")
    @click.option("--email", required=True, help="Adresse e-mail du compte.")
    @click.option("--role", type=ROLES, required=True, help="Nouveau rôle.")
    def set_role(email, role):
        """Change le rôle d'un compte."""
        try:
            with database().transaction() as session:
                user_db.set_role(session, SYSTEM, _find_user(session, email).id, role)
        except (ValidationError, PermissionDenied) as error:
            _fail(error)
        click.echo(f"{email} a maintenant le rôle {role}.")

    @server.cli.command("deactivate-user")
    @click.option("--email", required=True, help="Adresse e-mail du compte.")
    def deactivate_user(email):
        """Désactive un compte : il ne peut plus se connecter, ses sessions finissent à leur prochaine requête."""
        try:
            with database().transaction() as session:
                user_db.set_active(session, SYSTEM, _find_user(session, email).id, False)
        except (ValidationError, PermissionDenied) as error:
            _fail(error)
        click.echo(f"{email} est désactivé.")
