import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/projection", name="Projection", title="Projection · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Mode projection",
        "Un mode d'affichage pour l'écran de la salle de réunion, qui fait défiler les chiffres clés, la carte et l'agenda.",
    )
