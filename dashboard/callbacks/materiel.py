"""Callbacks of the materiel area (to be built)."""

FORMS: dict = {}


def register(app) -> None:
    """No callbacks yet."""
