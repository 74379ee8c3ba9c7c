"""The shared Leaflet map: an offline-first base map and one clustered point layer.

API (used by Carte, Agenda and Projection):

- ``base_map(map_id, children=(), center=(45.6, 4.2), zoom=9, style=None, bounds=None, **props)`` returns a
  ``dl.MapContainer`` holding, in order: tiles (only when ``TILE_URL`` is configured, with ``TILE_ATTRIBUTION``),
  the département outline from ``OUTLINE_GEOJSON`` when configured (a light filled polygon, not interactive),
  a metric scale, then ``children``. ``bounds=[[south, west], [north, east]]`` fits the view to the data instead
  of ``center``/``zoom``, which keeps the map meaningful offline without an outline. Extra ``props`` go to
  ``dl.MapContainer`` (e.g. ``className``, ``viewport``).
- ``points_layer(layer_id, geojson, cluster=True, hideout=None, **props)`` returns ONE ``dl.GeoJSON`` layer of
  points, clustered (a click on a cluster zooms to it), drawn as circle markers by ``assets/30-carte.js``.
  Feature properties read by the script: ``label`` (plain text tooltip, escaped by the browser as text: never
  put HTML there), optional ``color`` (CSS colour of the marker) and ``radius`` (pixels). Do not use the
  ``tooltip``/``popup`` properties: dash-leaflet binds those as raw HTML.
- ``points_to_geojson(rows, lat="latitude", lon="longitude", properties=(...))`` builds the FeatureCollection
  from an iterable of dicts (rows without coordinates are skipped).
- ``bounds_of(latitudes, longitudes)`` gives the ``bounds`` of a set of points, or ``None`` if there are none.
- ``outline_geojson()`` gives the configured outline as a dict (or ``None``), e.g. for a map drawn in a PDF.
- ``commune_code(feature)`` gives the INSEE code of an outline feature that is a commune (for a choropleth).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import dash_leaflet as dl
import numpy as np
import pandas as pd
from flask import current_app

OUTLINE_STYLE = {"color": "#1f4e79", "weight": 2, "opacity": 0.8, "fillColor": "#dbe7f3", "fillOpacity": 0.35}
MAP_STYLE = {"height": "100%", "minHeight": "420px", "width": "100%"}

# Functions defined in assets/30-carte.js (dash-leaflet resolves {"variable": …} against `window`).
POINT_TO_LAYER = {"variable": "mednumMap.pointToLayer"}
CLUSTER_TO_LAYER = {"variable": "mednumMap.clusterToLayer"}
ON_EACH_FEATURE = {"variable": "mednumMap.onEachFeature"}
AREA_STYLE = {"variable": "mednumMap.areaStyle"}  # polygons filled with their `color` property (choropleths)


@lru_cache(maxsize=4)
def _outline(path: str) -> dict:
    """The outline file, read once per path: it is static configuration, not data."""
    return json.loads(Path(path).read_text(encoding="utf-8"))


def outline_geojson() -> dict | None:
    """The configured outline (`OUTLINE_GEOJSON`), e.g. for a server-drawn map; None when not configured."""
    path = current_app.config.get("OUTLINE_GEOJSON")
    return _outline(str(path)) if path else None


# Property names that hold a commune's INSEE code in the usual commune files (IGN Admin Express, geo.api.gouv.fr…).
COMMUNE_CODE_PROPERTIES = ("code_insee", "insee", "INSEE_COM", "codgeo", "CODGEO", "code")


def commune_code(feature: dict) -> str | None:
    """The INSEE code of an outline feature that is a commune, else None."""
    properties = feature.get("properties") or {}
    return next((str(properties[key]) for key in COMMUNE_CODE_PROPERTIES if properties.get(key)), None)


def outline_layer() -> dl.GeoJSON | None:
    outline = outline_geojson()
    if outline is None:
        return None
    return dl.GeoJSON(data=outline, style=OUTLINE_STYLE, interactive=False)


def base_map(
    map_id,
    children: Sequence = (),
    center: tuple[float, float] = (45.6, 4.2),
    zoom: int = 9,
    style: dict | None = None,
    bounds: list[list[float]] | None = None,
    **props,
) -> dl.MapContainer:
    config = current_app.config
    layers = []
    if config.get("TILE_URL"):
        layers.append(dl.TileLayer(url=config["TILE_URL"], attribution=config.get("TILE_ATTRIBUTION") or ""))
    outline = outline_layer()
    if outline is not None:
        layers.append(outline)
    layers.append(dl.ScaleControl(metric=True, imperial=False, position="bottomleft"))
    layers.extend(children)
    if bounds:
        props.setdefault("bounds", bounds)
        props.setdefault("boundsOptions", {"padding": [24, 24]})
    return dl.MapContainer(
        layers,
        id=map_id,
        center=list(center),
        zoom=zoom,
        style={**MAP_STYLE, **(style or {})},
        **props,
    )


def points_layer(layer_id, geojson: dict, cluster: bool = True, hideout: dict | None = None, **props) -> dl.GeoJSON:
    return dl.GeoJSON(
        id=layer_id,
        data=geojson,
        cluster=cluster,
        zoomToBoundsOnClick=True,
        superClusterOptions={"radius": 60, "maxZoom": 16},
        pointToLayer=POINT_TO_LAYER,
        clusterToLayer=CLUSTER_TO_LAYER,
        onEachFeature=ON_EACH_FEATURE,
        hideout=hideout or {},
        **props,
    )


def points_to_geojson(
    rows: Iterable[dict], lat: str = "latitude", lon: str = "longitude", properties: Sequence[str] = ("id", "label")
) -> dict:
    features = []
    for row in rows:
        y, x = row.get(lat), row.get(lon)
        if y is None or x is None or _missing(y) or _missing(x):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(float(x), 6), round(float(y), 6)]},
                "properties": {key: row[key] for key in properties if key in row},  # absent, not null
            }
        )
    return {"type": "FeatureCollection", "features": features}


def bounds_of(latitudes: Iterable, longitudes: Iterable) -> list[list[float]] | None:
    ys = pd.Series(latitudes, dtype="float64").to_numpy()  # None becomes NaN; no copy for a float column
    xs = pd.Series(longitudes, dtype="float64").to_numpy()
    located = ~(np.isnan(ys) | np.isnan(xs))
    if not located.any():
        return None
    ys, xs = ys[located], xs[located]
    return [[float(ys.min()), float(xs.min())], [float(ys.max()), float(xs.max())]]


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
