"""A list read a page at a time (`db.paging`): a plain table, its pager and the page shown, for any area.

The area's callback takes the list's filters (its sort order among them) and `page_inputs(key)`, asks
`requested_page(key, shown)` which page to read, and returns `page_outputs(page, table)` to `page_targets(key)`:
a change of filter goes back to the first page, « Précédent » and « Suivant » move from the page shown.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, dcc, html

from dashboard import ids
from dashboard.components import format as fmt
from db.paging import Page


def paged_list(key: str, label: str) -> html.Div:
    """Where the table goes, and the pager under it; `label` names the list for screen readers."""
    return html.Div(
        [
            dcc.Loading(html.Div(id=ids.paged(key, "table")), type="dot"),
            html.Nav(
                [
                    dbc.Button(
                        [html.I(className="bi bi-chevron-left me-1", **{"aria-hidden": "true"}), "Précédent"],
                        id=ids.paged(key, "previous"),
                        color="primary",
                        outline=True,
                        size="sm",
                        disabled=True,
                    ),
                    html.Div(id=ids.paged(key, "status"), className="small text-body-secondary", role="status"),
                    dbc.Button(
                        ["Suivant", html.I(className="bi bi-chevron-right ms-1", **{"aria-hidden": "true"})],
                        id=ids.paged(key, "next"),
                        color="primary",
                        outline=True,
                        size="sm",
                        disabled=True,
                    ),
                ],
                className="d-flex justify-content-between align-items-center gap-2 mt-2",
                **{"aria-label": f"Pages : {label}"},
            ),
            dcc.Store(id=ids.paged(key, "shown"), data={"page": 0}),
        ]
    )


def page_inputs(key: str) -> list:
    return [
        Input(ids.paged(key, "previous"), "n_clicks"),
        Input(ids.paged(key, "next"), "n_clicks"),
        State(ids.paged(key, "shown"), "data"),
    ]


def page_targets(key: str) -> list:
    return [
        Output(ids.paged(key, "table"), "children"),
        Output(ids.paged(key, "status"), "children"),
        Output(ids.paged(key, "previous"), "disabled"),
        Output(ids.paged(key, "next"), "disabled"),
        Output(ids.paged(key, "shown"), "data"),
    ]


def requested_page(key: str, shown: dict | None) -> int:
    """The page the pager asks for; any other change (a filter, the order, a save) starts again at the first."""
    page = (shown or {}).get("page", 0)
    if ctx.triggered_id == ids.paged(key, "previous"):
        return max(page - 1, 0)
    if ctx.triggered_id == ids.paged(key, "next"):
        return page + 1
    return 0


def page_outputs(page: Page, table) -> tuple:
    """The values for `page_targets`: the table, where the page stands, the pager's buttons, the page shown."""
    if page.total:
        last = page.first + len(page.rows) - 1
        status = f"{fmt.number(page.first)}–{fmt.number(last)} sur {fmt.number(page.total)}"
    else:
        status = "Aucune ligne"
    return table, status, page.number == 0, page.number >= page.pages - 1, {"page": page.number}


def table(caption: str, headers: list[str], rows: list[list], numeric: frozenset[int] = frozenset()) -> html.Div:
    """A plain table with a caption for screen readers; the columns at positions `numeric` are right-aligned. On a
    narrow screen it scrolls sideways, so it can take the focus (scrolled with the keyboard)."""
    align = ["text-end" if i in numeric else None for i in range(len(headers))]
    return html.Div(
        dbc.Table(
            [
                html.Caption(caption, className="visually-hidden"),
                html.Thead(
                    html.Tr([html.Th(h, scope="col", className=a) for h, a in zip(headers, align, strict=True)])
                ),
                html.Tbody(
                    [html.Tr([html.Td(c, className=a) for c, a in zip(row, align, strict=True)]) for row in rows]
                ),
            ],
            striped=True,
            hover=True,
            size="sm",
            className="mb-0 paged-table",
        ),
        className="table-responsive",
        tabIndex="0",
        role="region",
        **{"aria-label": caption},
    )
