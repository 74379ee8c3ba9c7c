"""Grids for the lists that grow with the data (loans, sessions, attendants): ag-grid's infinite row model asks the
server for each page, sorted and filtered there (`db.paging`), at most `MAX_ROWS` rows at a time. French labels
(the locale of @ag-grid-community/locale, MIT); a row is chosen with the mouse or the keyboard (arrows, then
Space) where a form acts on it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dash_ag_grid as dag

from db.paging import MAX_ROWS, Filter, PageRequest, Sort

LOCALE_FR = json.loads(
    (Path(__file__).resolve().parents[1] / "data" / "ag-grid-locale-fr.json").read_text(encoding="utf-8")
)
_APPLY = {"buttons": ["apply", "reset"], "closeOnApply": True, "maxNumConditions": 1}
# What each kind of column can be filtered by: the operators `db.paging` translates to SQL.
FILTERS = {
    "text": {
        "filter": "agTextColumnFilter",
        "filterParams": _APPLY | {"filterOptions": ["contains", "notContains", "equals", "startsWith", "blank"]},
    },
    "number": {
        "filter": "agNumberColumnFilter",
        "filterParams": _APPLY | {"filterOptions": ["equals", "lessThan", "greaterThan", "inRange", "blank"]},
    },
    "date": {
        "filter": "agDateColumnFilter",
        "filterParams": _APPLY | {"filterOptions": ["equals", "lessThan", "greaterThan", "inRange"]},
    },
}


def column(field: str, header: str, kind: str | None = None, **options) -> dict:
    """A column sorted on the server; `kind` (text, number, date) gives it a filter, None none."""
    return {"field": field, "headerName": header, "filter": False} | FILTERS.get(kind, {}) | options


def server_grid(grid_id: str, columns: list[dict], *, selectable: bool = False, height: int = 440, **props):
    """A grid whose rows come page by page from a `getRowsRequest` → `getRowsResponse` callback."""
    options = {
        "pagination": True,
        "paginationPageSize": MAX_ROWS,
        "cacheBlockSize": MAX_ROWS,
        "paginationPageSizeSelector": False,
        "maxBlocksInCache": 5,
        "localeText": LOCALE_FR,
        "ensureDomOrder": True,  # screen readers read the rows in the order they are shown
        "suppressMultiSort": True,
        # Every column rendered: a narrow screen otherwise leaves header rows without cells (axe:
        # aria-required-children) and hides columns from screen readers.
        "suppressColumnVirtualisation": True,
        # ag-grid skips laying out a grid below the fold (content-visibility: auto) and keeps its cells hidden until
        # it is scrolled to: screen readers and axe then meet header rows without cells. A page holds few grids.
        "suppressContentVisibilityAuto": True,
    }
    if selectable:
        options["rowSelection"] = {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}
    return dag.AgGrid(
        id=grid_id,
        rowModelType="infinite",
        columnDefs=columns,
        defaultColDef={"sortable": True, "resizable": True, "cellDataType": False, "floatingFilter": True},
        dashGridOptions=options,
        getRowId="params.data.id",
        style={"height": height, "width": "100%"},
        className="server-grid",
        **props,
    )


def client_grid(grid_id: str, columns: list[dict], rows: list[dict], height: int = 420, **props):
    """A short list sent whole, as data: one component however many rows (a table of components costs the browser
    a component per cell to lay out), sorted in the browser; rows of one line drawn as they scroll into view."""
    return dag.AgGrid(
        id=grid_id,
        rowData=rows,
        columnDefs=columns,
        defaultColDef={"sortable": True, "resizable": True, "cellDataType": False},
        dashGridOptions={
            "localeText": LOCALE_FR,
            "ensureDomOrder": True,
            "suppressColumnVirtualisation": True,
            "suppressContentVisibilityAuto": True,
            "tooltipShowDelay": 300,
        },
        columnSize="responsiveSizeToFit",
        style={"height": height, "width": "100%"},
        className="client-grid",
        **props,
    )


def _day(value) -> dt.date | None:
    return dt.date.fromisoformat(value[:10]) if value else None


def _filter(name: str, spec: dict) -> Filter:
    if spec.get("filterType") == "date":
        return Filter(name, spec.get("type"), _day(spec.get("dateFrom")), _day(spec.get("dateTo")))
    return Filter(name, spec.get("type"), spec.get("filter"), spec.get("filterTo"))


def page_request(request: dict | None, *extra: Filter) -> PageRequest:
    """ag-grid's `getRowsRequest` (rows, sort model, filter model) as a `db.paging.PageRequest`, with `extra`
    filters from outside the grid (a state chosen above it, the page's filter bar)."""
    request = request or {}
    start = int(request.get("startRow") or 0)
    end = int(request.get("endRow") or start + MAX_ROWS)
    sort = tuple(Sort(item["colId"], item.get("sort") == "desc") for item in request.get("sortModel") or [])
    filters = tuple(_filter(name, spec) for name, spec in (request.get("filterModel") or {}).items())
    return PageRequest(filters + extra, sort, start, end - start)


def rows_response(rows: list[dict], total: int) -> dict:
    return {"rowData": rows, "rowCount": total}


NO_ROWS = rows_response([], 0)


def refresh_on(app, grid_id: str, *inputs) -> None:
    """Reload the grid's pages when `inputs` change (a filter outside the grid, a saved form): its rows live on the
    server, so the grid must ask again."""
    app.clientside_callback(
        f"function() {{ dash_ag_grid.getApiAsync({json.dumps(grid_id)}).then((api) => api.purgeInfiniteCache()); }}",
        *inputs,
        prevent_initial_call=True,
    )


def date_text(value) -> str:
    """A date cell: dd/mm/yyyy, empty when unknown."""
    return "" if value is None or value != value else f"{value:%d/%m/%Y}"  # value != value: NaT
