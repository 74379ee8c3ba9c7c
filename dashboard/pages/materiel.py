import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/materiel", name="Matériel", title="Matériel · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Prêts de matériel",
        "Le catalogue du matériel prêté aux structures partenaires, la saisie des prêts avec détection des conflits, les jauges d'utilisation et le calendrier des réservations.",
    )
