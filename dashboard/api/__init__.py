"""Plain Flask routes beside the Dash app (open data, feeds, file exports), one module per area.

Each module has `register(server)`; a route open without login is wrapped with `dashboard.auth.public`.
"""

from flask import Flask

from dashboard.api import agenda, carte, indicateurs, rapport

AREAS = (agenda, carte, indicateurs, rapport)


def init_app(server: Flask) -> None:
    for module in AREAS:
        module.register(server)
