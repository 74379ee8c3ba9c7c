import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/indicateurs", name="Indicateurs", title="Indicateurs · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Indicateurs du Département",
        "La vue de suivi du Département par mission, avec comparaison à l'année précédente, et le rapport annuel généré à partir des données.",
    )
