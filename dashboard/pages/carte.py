import dash

from dashboard.components.cards import coming_soon

dash.register_page(__name__, path="/carte", name="Carte", title="Carte · Médiation numérique")


def layout(**_query):
    return coming_soon(
        "Carte des lieux",
        "La carte filtrable des lieux de médiation numérique du réseau (services, publics, labels, commune, accessibilité, ouverts maintenant), l'import et l'export au standard national, les fiches des lieux et l'export PDF.",
    )
