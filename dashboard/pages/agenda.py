import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/agenda", name="Agenda", title="Agenda · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Agenda du réseau",
        "La frise des événements du réseau, l'import OpenAgenda et iCalendar, la saisie des événements et le flux iCal public.",
    )
