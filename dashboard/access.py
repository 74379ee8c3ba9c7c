"""Who may read what: the role each callback needs, declared where it is registered and checked by the one guard.

Every server callback is registered inside `reading(app, role)` (`register_all` wraps each area in its default role,
an area narrows one callback with a nested `reading`). The guard finds the callback a request runs by the `output`
key Dash itself uses to choose it, and refuses a request whose callback declared nothing (default deny) or a higher
role than the requester's. A projection screen's link counts as the lowest role, `SCREEN`.
"""

from __future__ import annotations

import json
from contextlib import contextmanager

from db.writes import ROLE_RANK

SCREEN = "screen"  # a kiosk holding a valid projection link, without an account
RANKS = {SCREEN: -1, **ROLE_RANK}
REGISTRY = "callback_roles"  # server.extensions key: {callback output key: role}
PAGES_OUTPUTS = {"_pages_content", "_pages_store"}  # Dash's own page-routing callback, registered by Dash


def _registry(server) -> dict[str, str]:
    return server.extensions.setdefault(REGISTRY, {})


@contextmanager
def reading(app, role: str):
    """Callbacks registered inside need `role` to run, unless a nested `reading` declared them first."""
    before = set(app.callback_map)
    yield
    registry = _registry(app.server)
    for key in set(app.callback_map) - before:
        registry.setdefault(key, role)


def output_names(output: str) -> list[str]:
    """The component ids (the `type` of a dict id) named by a callback request's `output` key: "id.prop", or
    "..id.prop...id.prop.." for several outputs."""
    parts = output[2:-2].split("...") if output.startswith("..") and output.endswith("..") else [output]
    names = []
    for part in parts:
        component = part.split("@", 1)[0].rsplit(".", 1)[0]
        if component.startswith("{"):
            try:
                component = str(json.loads(component).get("type", ""))
            except (ValueError, AttributeError):
                component = ""
        names.append(component)
    return names


def required_role(server, body) -> str | None:
    """The role the callback `body` asks to run needs; None when it runs no declared callback."""
    output = body.get("output") if isinstance(body, dict) else None
    if not isinstance(output, str):
        return None
    if output in (declared := _registry(server)):
        return declared[output]
    if set(output_names(output)) == PAGES_OUTPUTS:
        return SCREEN  # which page a screen may open is the guard's business
    return None


def may(role: str | None, required: str | None) -> bool:
    return role in RANKS and required in RANKS and RANKS[role] >= RANKS[required]



def _is_prop(item) -> bool:
    return isinstance(item, dict) and isinstance(item.get("property"), str) and isinstance(item.get("id"), str | dict)


def _are_props(items, count: int | None = None) -> bool:
    """A list of what Dash sends for inputs, states or outputs: a prop, or a list of props (a wildcard id)."""
    if not isinstance(items, list) or (count is not None and len(items) != count):
        return False
    return all(_is_prop(item) or (isinstance(item, list) and all(map(_is_prop, item))) for item in items)


def well_formed(callback_map: dict, body) -> bool:
    """`body` has the shape of a request for its callback: as many inputs and states as it declares, each naming a
    property. Anything else is a forged or broken request, refused before Dash reads it."""
    spec = callback_map.get(body.get("output")) if isinstance(body, dict) else None
    if spec is None:
        return False
    outputs = body.get("outputs", [])
    changed = body.get("changedPropIds", [])
    return (
        _are_props(body.get("inputs"), len(spec["inputs"]))
        and _are_props(body.get("state", []), len(spec["state"]))
        and (_is_prop(outputs) or _are_props(outputs))
        and isinstance(changed, list)
        and all(isinstance(prop, str) for prop in changed)
    )
