"""Flask CLI commands (`flask --app app <command>`), one module per area, each with `register(server)`."""

from flask import Flask

from dashboard.cli import accounts, agenda, backup, carte, indicateurs, lettres, rapport
from dashboard.cli.accounts import upgrade_database

AREAS = (accounts, carte, agenda, lettres, indicateurs, rapport, backup)

__all__ = ["init_app", "upgrade_database"]


def init_app(server: Flask) -> None:
    for module in AREAS:
        module.register(server)
