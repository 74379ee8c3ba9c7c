import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/formations", name="Formations", title="Formations · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Formations et interventions",
        "Les formations et interventions du réseau, leurs sessions et la présence des participants.",
    )
