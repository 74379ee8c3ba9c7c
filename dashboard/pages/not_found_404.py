import dash
import dash_bootstrap_components as dbc
from dash import html

dash.register_page(__name__, path="/404", title="Page introuvable")


def layout(**_query):
    return html.Div(
        [
            html.H1("Page introuvable", className="h2"),
            html.P("Cette adresse ne correspond à aucune page du tableau de bord."),
            dbc.Button("Retour à l'accueil", href="/", color="primary"),
        ],
        className="py-5 text-center",
    )
