"""Callbacks, one module per area, each with `register(app)` so every app instance gets its own.

An area's forms are listed in its module's `FORMS` ({form name: write function}); one callback serves them all.
"""

from dashboard.callbacks import (
    admin,
    agenda,
    carte,
    formations,
    forms,
    home,
    indicateurs,
    lettres,
    materiel,
    projection,
    shell,
)

AREAS = (shell, home, admin, carte, agenda, materiel, formations, lettres, indicateurs, projection)


def register_all(app) -> None:
    writers = {}
    for module in AREAS:
        module.register(app)
        writers.update(getattr(module, "FORMS", {}))
    forms.register(app, writers)
