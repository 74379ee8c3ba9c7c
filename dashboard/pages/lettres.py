import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/lettres", name="Lettres", title="Lettres · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Lettres d'information et audience",
        "Les lettres d'information, leurs envois et leurs abonnés, et les chiffres d'audience des plateformes du réseau.",
    )
