"""The sheet of one place: every field of the national schema, the week's hours, freshness, links."""

from urllib.parse import unquote, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.carte import icon
from db.carte import PlaceFilter

dash.register_page(
    __name__,
    path_template="/carte/lieu/<place_id>",
    name="Fiche d'un lieu",
    title="Fiche d'un lieu · Médiation numérique",
)


def layout(place_id=None, **query):
    # The Carte's filters ride along in the query string (validated like the Carte's own URL): back keeps them.
    kept = PlaceFilter.from_query(query).to_query()
    carte_url = "/carte" + (f"?{urlencode(kept, doseq=True)}" if kept else "")
    return html.Div(
        [
            html.Div(
                [
                    html.Nav(
                        dbc.Breadcrumb(
                            items=[{"label": "Carte", "href": carte_url}, {"label": "Fiche du lieu", "active": True}],
                            className="mb-0",
                        ),
                        **{"aria-label": "Fil d'Ariane"},
                    ),
                    dbc.Button(
                        [icon("file-earmark-pdf"), "Exporter la fiche (PDF)"],
                        id=ids.LIEU_PDF,
                        color="primary",
                        outline=True,
                        size="sm",
                        n_clicks=0,
                    ),
                ],
                className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2",
            ),
            dcc.Download(id=ids.LIEU_DOWNLOAD),
            dcc.Store(id=ids.LIEU_ID, data=unquote(place_id or "")),
            dcc.Loading(
                html.Div(id=ids.LIEU_SHEET, children=html.Div(className="sheet-placeholder")),
                type="default",
                delay_show=300,
            ),
            html.Div(id=ids.LIEU_EDIT),
            html.Div(
                dbc.Button(
                    [icon("arrow-left"), "Retour à la carte"],
                    id=ids.LIEU_BACK,
                    href=carte_url,
                    color="link",
                    className="px-0",
                ),
                className="mt-2",
            ),
        ]
    )
