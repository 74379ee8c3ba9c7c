"""Pages of a list: filters, sort, offset and limit applied in SQL, with the total count, so that no list that grows
with the data is ever read whole. Two ways in: `fetch` serves a grid's request (filters and sorts by column name,
declared by each area's list function), `fetch_page` a numbered page in a fixed order (the journal, the agenda's
dates)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, Label

MAX_ROWS = 100  # the most rows one page may hold, whatever a request asks
PAGE_SIZE = 50  # a numbered page's rows


@dataclass(frozen=True)
class Filter:
    """A condition on a column: `operator` is a key of OPERATORS; `value_to` closes an `inRange`."""

    column: str
    operator: str
    value: object = None
    value_to: object = None


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool = False


@dataclass(frozen=True)
class PageRequest:
    filters: tuple[Filter, ...] = ()
    sort: tuple[Sort, ...] = ()
    offset: int = 0
    limit: int = MAX_ROWS


@dataclass(frozen=True)
class Page:
    rows: pd.DataFrame
    total: int  # rows matching the filters, over every page
    offset: int = 0
    size: int = MAX_ROWS

    @property
    def number(self) -> int:
        """From 0."""
        return self.offset // self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first row."""
        return self.offset + 1


def _count(session: Session, query: Select) -> int:
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def _folded(column: ColumnElement, value) -> tuple[ColumnElement, object]:
    """Text compares without case (as a grid's text filter does); other values as they are."""
    return (func.lower(column), value.lower()) if isinstance(value, str) else (column, value)


def _equals(column, value, _to):
    column, value = _folded(column, value)
    return column == value


def _contains(column, value, _to):
    return func.lower(column).contains(str(value).lower(), autoescape=True)


OPERATORS: dict[str, Callable[[ColumnElement, object, object], ColumnElement]] = {
    "equals": _equals,
    "notEqual": lambda c, v, t: or_(c.is_(None), ~_equals(c, v, t)),
    "contains": _contains,
    "notContains": lambda c, v, t: or_(c.is_(None), ~_contains(c, v, t)),
    "startsWith": lambda c, v, _t: func.lower(c).startswith(str(v).lower(), autoescape=True),
    "endsWith": lambda c, v, _t: func.lower(c).endswith(str(v).lower(), autoescape=True),
    "lessThan": lambda c, v, _t: c < v,
    "lessThanOrEqual": lambda c, v, _t: c <= v,
    "greaterThan": lambda c, v, _t: c > v,
    "greaterThanOrEqual": lambda c, v, _t: c >= v,
    "inRange": lambda c, v, t: c.between(v, t),
    "blank": lambda c, _v, _t: c.is_(None),
    "notBlank": lambda c, _v, _t: c.is_not(None),
    "in": lambda c, v, _t: c.in_(list(v)),
}


def columns_of(query: Select) -> dict[str, ColumnElement]:
    """The columns a query lists, by name, as expressions (a label filters on what it names)."""
    return {column.name: column.element if isinstance(column, Label) else column for column in query.selected_columns}


def fetch(
    session: Session,
    query: Select,
    columns: dict[str, ColumnElement],
    request: PageRequest,
    default_sort: tuple[Sort, ...],
    unique: ColumnElement,
    sort_keys: dict[str, ColumnElement] | None = None,
) -> Page:
    """The page of `query` that `request` asks for, and the count of every matching row.

    `columns` names what may be filtered and sorted; `sort_keys` overrides how a column sorts (a state by urgency
    rather than by name); `unique` ends every order, so that pages neither repeat nor skip a row. An unknown column
    or operator raises ValueError: a filter silently ignored would show wrong rows as if they matched."""
    conditions = []
    for condition in request.filters:
        if condition.column not in columns or condition.operator not in OPERATORS:
            raise ValueError(f"Filtre inconnu : {condition.column} {condition.operator}")
        conditions.append(OPERATORS[condition.operator](columns[condition.column], condition.value, condition.value_to))
    query = query.where(*conditions)
    total = _count(session, query)
    keys = columns | (sort_keys or {})
    order = []
    for item in request.sort or default_sort:
        if item.column not in keys:
            raise ValueError(f"Tri inconnu : {item.column}")
        key = keys[item.column]
        order.append((key.desc() if item.descending else key.asc()).nulls_last())
    limit = max(0, min(request.limit, MAX_ROWS))
    offset = max(request.offset, 0)
    result = session.execute(query.order_by(*order, unique).offset(offset).limit(limit))
    return Page(pd.DataFrame(result.all(), columns=list(result.keys())), total, offset, max(limit, 1))


def fetch_page(session: Session, query: Select, order: Sequence, number: int, size: int = PAGE_SIZE) -> Page:
    """Page `number` (from 0; past the end, the last one) of `query` in `order` — end it with a unique column, so
    no row sits on two pages — with the count of all its rows."""
    total = _count(session, query)
    number = min(max(int(number or 0), 0), max(0, (total - 1) // size))
    rows = session.execute(query.order_by(*order).offset(number * size).limit(size)).all()
    frame = pd.DataFrame([tuple(row) for row in rows], columns=[c.key for c in query.selected_columns])
    return Page(frame, total, number * size, size)
