"""Places of the network: queries and write rules of the Carte."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.figures import KeyFigure
from db.models import PLACE_MULTI_FIELDS, Place, PlaceValue


def place_count_figure(session: Session) -> KeyFigure:
    count, latest = session.execute(select(func.count(Place.pk), func.max(Place.date_maj))).one()
    return KeyFigure(
        key="places",
        label="Lieux de médiation numérique",
        value=count,
        source="Fiches des lieux (standard national v1.0.2)",
        as_of=latest,
    )


def split_multi(value: str | None) -> list[str]:
    """The values of a "|"-joined schema field, trimmed, empty ones dropped, order kept."""
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def sync_place_values(place: Place) -> None:
    """Rebuild the PlaceValue rows of a place from its multi-valued schema columns (call after any change)."""
    wanted = {(field, value) for field in PLACE_MULTI_FIELDS for value in split_multi(getattr(place, field))}
    place.values = [v for v in place.values if (v.field, v.value) in wanted]
    present = {(v.field, v.value) for v in place.values}
    place.values.extend(PlaceValue(field=f, value=v) for f, v in sorted(wanted - present))
