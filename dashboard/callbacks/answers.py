"""A callback's answer kept per data revision: the figure engine (`db.revisions`) caches what is computed, this
keeps what is drawn from it, so a page already seen since the last write costs its request, not its rendering.

`@per_revision(areas)` on a read callback: its answer is kept under the areas' revision tokens, the day (a «
today » in many panels), the reader's role (the tools a coordinator sees) and everything the answer can depend
on in the request — its arguments, the inputs that fired it and the outputs it fills (pattern-matching outputs
vary with the page). A write replaces its area's token in its own transaction, so a kept answer is never served
after it, by any worker of any process. The answer is kept as plain data (components as their JSON form): building
and serialising it again would cost more than the computation it shows."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable

from dash import ctx
from dash.development.base_component import Component

from dashboard.auth import revision_tokens
from dashboard.callbacks.forms import acting_user, database
from db import clock, revisions

SIZE = 128  # answers kept per callback: filter combinations × areas' revisions, least recently used out first


def plain(value):
    """The answer as JSON-ready data: Dash serialises it as it would the components, at a fraction of the cost."""
    if isinstance(value, Component):
        return plain(value.to_plotly_json())
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(plain(item) for item in value)
    return value


def _request_key(args: tuple, minute: bool) -> str:
    user = acting_user()
    return json.dumps(
        [
            user.role if user else None,
            clock.utcnow().strftime("%Y-%m-%dT%H:%M") if minute else clock.today().isoformat(),
            [sorted(item.items()) for item in ctx.triggered] if ctx.triggered else None,
            repr(ctx.outputs_list),
            args,
        ],
        default=str,
        sort_keys=True,
    )


def per_revision(areas: Iterable[str], *, moves_with_the_clock: bool = False) -> Callable:
    """Keep the decorated callback's answers per revision of `areas` (the data it reads). Only for answers that
    depend on nothing else than the key above: not on who the user is beyond their role. An answer that moves with
    the clock (what is « à venir » now) is kept for the current minute only."""
    areas = tuple(areas)

    def decorate(callback: Callable) -> Callable:
        kept = revisions.Cache(SIZE)

        @functools.wraps(callback)
        def answer(*args):
            # Not revisions.memoize: the tokens were read with the request's user, in a session closed since
            # (SQLite holds a read lock while a session is open).
            scope = revisions.scope_of(revision_tokens(), database().url, areas)
            if scope is None:  # an area without a token: nothing is kept (see revisions.scope)
                return callback(*args)
            key = (*scope, _request_key(args, moves_with_the_clock))
            found = kept.get(key)
            if found is None:
                found = plain(callback(*args))
                kept.put(key, found)
            return found

        return answer

    return decorate
