"""Callbacks of the indicateurs area (to be built)."""

FORMS: dict = {}


def register(app) -> None:
    """No callbacks yet."""
