"""Carte queries: each facet (OR inside, AND across), counts, text search, opening hours on fixed dates, freshness."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from db import carte
from db.models import Commune, Place

TODAY = dt.date(2025, 3, 12)  # a Wednesday
WEDNESDAY_10H = dt.datetime(2025, 3, 12, 10, 0)
WEDNESDAY_20H = dt.datetime(2025, 3, 12, 20, 0)


def place(pk: int, **fields) -> Place:
    values = {
        "id": f"T_{pk}",
        "pivot": "00000000000000",
        "nom": f"Lieu {pk}",
        "commune": "Feurs",
        "code_postal": "42110",
        "code_insee": "42094",
        "adresse": "1 rue de la Paix",
        "latitude": 45.74,
        "longitude": 4.22,
        "date_maj": TODAY - dt.timedelta(days=10),
        "epci_code": "200065894",
        "epci_name": "CC de Forez-Est",
    }
    values.update(fields)
    new = Place(**values)
    carte.sync_place_values(new)
    return new


@pytest.fixture
def places(database):
    with database.transaction() as session:
        session.add_all(
            [
                place(
                    1,
                    nom="Médiathèque de l'Étang",
                    services="Aide aux démarches administratives|Loisirs et créations numériques",
                    publics_specifiquement_adresses="Seniors",
                    prise_en_charge_specifique="Surdité",
                    frais_a_charge="Gratuit",
                    dispositif_programmes_nationaux="France Services",
                    formations_labels="Fabriques de Territoire",
                    typologie="BIB",
                    modalites_acces="Se présenter",
                    modalites_accompagnement="En autonomie",
                    autres_formations_labels="QPV",
                    horaires="Mo-Fr 09:00-12:00",
                ),
                place(
                    2,
                    services="Aide aux démarches administratives",
                    publics_specifiquement_adresses="Jeunes",
                    frais_a_charge="Payant",
                    typologie="FS",
                    autres_formations_labels="ZRR",
                    horaires="Sa 10:00-12:00",
                    commune="Roanne",
                    code_insee="42187",
                    epci_code="200035731",
                    epci_name="Roannais Agglomération",
                    date_maj=TODAY - dt.timedelta(days=250),
                ),
                place(
                    3,
                    services="Loisirs et créations numériques",
                    frais_a_charge="Gratuit|Payant",
                    autres_formations_labels="FRR|ZRR",
                    horaires="le mardi matin",
                    date_maj=TODAY - dt.timedelta(days=700),
                ),
                place(4, nom="Bus numérique", horaires=None, date_maj=TODAY - dt.timedelta(days=400)),
            ]
        )


def ids(database, now=WEDNESDAY_10H, **query) -> list[str]:
    with database.session() as session:
        result = carte.search_places(session, carte.PlaceFilter.from_query(query), now)
    return sorted(result.places["id"])


def counts(database, now=WEDNESDAY_10H, **query) -> dict:
    with database.session() as session:
        return carte.search_places(session, carte.PlaceFilter.from_query(query), now).counts


FACET_CASES = [
    ({}, ["T_1", "T_2", "T_3", "T_4"]),
    ({"services": "Aide aux démarches administratives"}, ["T_1", "T_2"]),
    (
        {"services": ["Aide aux démarches administratives", "Loisirs et créations numériques"]},
        ["T_1", "T_2", "T_3"],
    ),
    ({"services": "Loisirs et créations numériques", "frais": "Payant"}, ["T_3"]),
    ({"publics": "Seniors"}, ["T_1"]),
    ({"prise_en_charge": "Surdité"}, ["T_1"]),
    ({"frais": "Gratuit"}, ["T_1", "T_3"]),
    ({"dispositifs": "France Services"}, ["T_1"]),
    ({"labels": "Fabriques de Territoire"}, ["T_1"]),
    ({"typologie": ["BIB", "FS"]}, ["T_1", "T_2"]),
    ({"acces": "Se présenter"}, ["T_1"]),
    ({"accompagnement": "En autonomie"}, ["T_1"]),
    ({"territoire": "QPV"}, ["T_1"]),
    ({"territoire": "FRR"}, ["T_2", "T_3"]),  # ZRR counts as FRR
    ({"commune": "42187"}, ["T_2"]),
    ({"epci": "200065894"}, ["T_1", "T_3", "T_4"]),
    ({"fraicheur": "a_jour"}, ["T_1"]),
    ({"fraicheur": ["a_surveiller", "a_actualiser"]}, ["T_2", "T_3"]),
    ({"fraicheur": "a_verifier"}, ["T_4"]),
    ({"q": "mediatheque etang"}, ["T_1"]),
    ({"q": "ROANNE"}, ["T_2"]),
    ({"q": "bus"}, ["T_4"]),
    ({"horaires": "maintenant"}, ["T_1"]),
    ({"horaires": "weekend"}, ["T_2"]),
    ({"services": "Inconnu"}, []),
]


@pytest.mark.parametrize(("query", "expected"), FACET_CASES)
def test_each_facet_filters(database, places, query, expected):
    assert ids(database, **query) == expected


@pytest.mark.parametrize("query", [query for query, _ in FACET_CASES if not {"q", "horaires"} & set(query)])
def test_the_sql_reference_filters_like_the_index(database, places, query):
    """`bare_query` (the same filter in SQL) and the index give the same places."""
    with database.session() as session:
        sql = sorted(carte.bare_query(session, carte.PlaceFilter.from_query(query), TODAY)["id"])
    assert sql == ids(database, **query)


def test_the_index_follows_every_write(database, places):
    assert ids(database, typologie="FS") == ["T_2"]
    with database.transaction() as session:
        moved = session.scalar(select(Place).where(Place.id == "T_3"))
        moved.typologie = "FS"
        carte.sync_place_values(moved)
        session.add(place(5, typologie="FS"))
    assert ids(database, typologie="FS") == ["T_2", "T_3", "T_5"]
    with database.transaction() as session:
        session.delete(session.scalar(select(Place).where(Place.id == "T_2")))
    assert ids(database, typologie="FS") == ["T_3", "T_5"]


def test_a_place_write_replaces_the_revision_token_and_nothing_else_does(database, places):
    with database.session() as session:
        before = carte.collection_version(session)
    with database.transaction() as session:
        session.add(Commune(insee="42999", name="Ailleurs"))
    with database.session() as session:
        assert carte.collection_version(session) == before
    with database.transaction() as session:
        session.scalar(select(Place).where(Place.id == "T_1")).telephone = "+33477000000"
    with database.session() as session:
        assert carte.collection_version(session) != before


def test_places_in_view_keeps_the_places_inside_the_bounds():
    frame = pd.DataFrame({"id": ["a", "b", "c"], "latitude": [45.0, 46.0, None], "longitude": [4.0, 4.5, None]})
    view = carte.places_in_view(frame, [[44.9, 3.9], [45.5, 4.2]])
    assert list(view.places["id"]) == ["a"] and (view.outside, view.unplaced) == (1, 1)
    everything = carte.places_in_view(frame, None)  # the map has not reported its view
    assert list(everything.places["id"]) == ["a", "b", "c"] and (everything.outside, everything.unplaced) == (0, 0)


def test_open_now_depends_on_the_time(database, places):
    assert ids(database, now=WEDNESDAY_20H, horaires="maintenant") == []
    assert ids(database, now=dt.datetime(2025, 3, 15, 11, 0), horaires="maintenant") == ["T_2"]


def test_counts_are_per_option_given_the_other_filters(database, places):
    everything = counts(database)
    assert everything["services"] == {"Aide aux démarches administratives": 2, "Loisirs et créations numériques": 2}
    assert everything["territoire"] == {"QPV": 1, "FRR": 2}  # T_3 has FRR and ZRR: counted once
    assert everything["fraicheur"] == {"a_jour": 1, "a_surveiller": 1, "a_verifier": 1, "a_actualiser": 1}
    assert everything["horaires"] == {"maintenant": 1, "weekend": 1}
    # A facet's own selection does not shrink its counts (OR inside), the others do (AND across).
    chosen = counts(database, services="Aide aux démarches administratives", frais="Payant")
    assert chosen["services"] == {"Aide aux démarches administratives": 1, "Loisirs et créations numériques": 1}
    assert chosen["frais"] == {"Gratuit": 1, "Payant": 1}
    assert chosen["typologie"] == {"FS": 1}
    # Python-side filters (text, hours) restrict the counts too.
    assert counts(database, q="médiathèque")["services"] == {
        "Aide aux démarches administratives": 1,
        "Loisirs et créations numériques": 1,
    }
    assert counts(database, horaires="weekend")["frais"] == {"Payant": 1}


def test_result_rows_carry_open_state_and_freshness(database, places):
    with database.session() as session:
        rows = carte.search_places(session, carte.PlaceFilter(), WEDNESDAY_10H).places.set_index("id")
    assert rows.loc["T_1", "open_state"] == "open"
    assert rows.loc["T_2", "open_state"] == "closed"
    assert rows.loc["T_3", "open_state"] == "unknown"  # not OSM syntax: "horaires inconnus"
    assert rows.loc["T_4", "open_state"] == "unknown"
    assert rows.loc["T_3", "freshness"] == "a_actualiser"


def test_filter_round_trips_through_the_url():
    query = {
        "services": ["Aide aux démarches administratives", "Loisirs et créations numériques"],
        "territoire": ["FRR", "Inventé"],
        "commune": ["42218", "x"],
        "epci": "200065894",
        "fraicheur": ["a_jour", "bof"],
        "horaires": ["weekend"],
        "q": "  médiathèque   centre ",
        "unknown": "ignored",
    }
    flt = carte.PlaceFilter.from_query(query)
    assert flt.to_query() == {
        "services": ["Aide aux démarches administratives", "Loisirs et créations numériques"],
        "territoire": ["FRR"],
        "commune": ["42218"],
        "epci": ["200065894"],
        "fraicheur": ["a_jour"],
        "horaires": ["weekend"],
        "q": "médiathèque centre",
    }
    assert carte.PlaceFilter.from_query(flt.to_query()) == flt
    assert "Territoire prioritaire : France Ruralités Revitalisation (FRR, ex-ZRR)" in flt.summary()


@pytest.mark.parametrize(
    ("days", "band"),
    [(0, "a_jour"), (180, "a_jour"), (181, "a_surveiller"), (364, "a_surveiller"), (370, "a_verifier"),
     (540, "a_verifier"), (560, "a_actualiser"), (None, "a_actualiser")],
)  # fmt: skip
def test_freshness_bands(days, band):
    day = None if days is None else TODAY - dt.timedelta(days=days)
    assert carte.freshness_of(day, TODAY).key == band


def test_months_before_handles_short_months():
    assert carte.months_before(dt.date(2025, 8, 31), 6) == dt.date(2025, 2, 28)
    assert carte.months_before(dt.date(2025, 3, 12), 18) == dt.date(2023, 9, 12)


def test_week_timetable_and_weekend():
    week = carte.week_timetable("Mo-Fr 09:00-12:00,14:00-17:30; Sa 10:00-12:00", TODAY)
    assert [d.label for d in week][:2] == ["Lundi", "Mardi"] and week[0].day == dt.date(2025, 3, 10)
    assert week[2].slots == ((dt.time(9), dt.time(12), ""), (dt.time(14), dt.time(17, 30), ""))
    assert week[5].slots == ((dt.time(10), dt.time(12), ""),) and week[6].slots == ()
    assert carte.week_timetable("Lundi au vendredi de 9h à 12h", TODAY) is None
    assert carte.week_timetable(None, TODAY) is None
    assert carte.open_on_weekend("Su 10:00-12:00", TODAY)
    assert not carte.open_on_weekend("Mo-Fr 10:00-12:00", TODAY)
    night = carte.week_timetable("Fr 22:00-02:00", TODAY)
    assert night[4].slots == ((dt.time(22), dt.time(0), ""),) and night[5].slots == ((dt.time(0), dt.time(2), ""),)


def test_filter_choices_and_territories(database, places):
    with database.session() as session:
        choices = carte.filter_choices(session, {"services": ("A", "B")}, carte.PlaceFilter(communes=("42187",)))
        communes, epcis = carte.territories(session)
    assert choices.facets["services"] == ["A", "B"]  # the schema's order
    assert choices.facets["typologie"] == ["BIB", "FS"]  # values present, sorted by label
    assert choices.facets["territoire"] == ["QPV", "FRR"]
    assert choices.commune_names == {"42187": "Roanne"} and choices.epci_names == {}
    assert communes == [("42094", "Feurs", 3), ("42187", "Roanne", 1)]
    assert epcis == [("200065894", "CC de Forez-Est", 3), ("200035731", "Roannais Agglomération", 1)]


IFN = """name,division,code,no_thd_coverage_rate,no_4g_coverage_rate,poverty_rate,older_65_rate,nscol15p_rate,total
Feurs,city,42094,1.0,2.0,5.0,6.0,7.0,4.2
Roche,city,42188,9.0,9.0,6.0,8.0,9.0,8.2
Loire,department,42,1,1,1,1,1,5.0
Nulle part,city,4209,1,1,1,1,1,5.0
Trop,city,42001,1,1,1,1,1,12
"""


def test_import_ifn_upserts_communes_and_reports_bad_rows(database, places, users):
    from db.models import AuditLog, Commune
    from db.writes import PermissionDenied

    with database.transaction() as session:
        session.add(Commune(insee="42094", name="Feurs", latitude=45.74, longitude=4.22))
    with database.transaction() as session:
        report = carte.import_ifn(session, users["coordinator"], IFN.encode())
    assert (report.created, report.updated, report.unchanged) == (["42188"], ["42094"], [])
    assert [(r.row, r.reason) for r in report.rejected] == [
        (5, "code INSEE invalide « 4209 »"),
        (6, "indice total invalide « 12 » (0 à 10 attendu)"),
    ]
    with database.session() as session:
        roche = session.get(Commune, "42188")
        # A commune new to the table takes its name and EPCI from the national reference.
        assert (roche.name, roche.epci_name) == ("Roche-en-Forez", "CA Loire Forez Agglomération (LFA)")
        assert roche.ifn_total == 8.2 and roche.ifn_scores["no_4g_coverage_rate"] == 9.0
        assert session.query(AuditLog).filter_by(table_name="communes").count() == 2
    with database.transaction() as session:  # the same file again: unchanged, no journal row
        again = carte.import_ifn(session, users["coordinator"], IFN.encode("cp1252"))
    assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], ["42094", "42188"])
    with database.session() as session:
        assert session.query(AuditLog).filter_by(table_name="communes").count() == 2
        frame = carte.offer_and_fragility(session)
    assert list(frame["insee"]) == ["42188", "42094"]  # most fragile first
    assert list(frame["places"]) == [0, 3]
    assert frame.loc[1, "latitude"] == 45.74 and frame.loc[0, "latitude"] != frame.loc[0, "latitude"]  # no position
    with database.transaction() as session, pytest.raises(PermissionDenied):
        carte.import_ifn(session, users["viewer"], IFN)


def test_fragility_by_epci_counts_fragile_communes_without_places():
    frame = pd.DataFrame(
        {
            "insee": ["42001", "42002", "42003", "42004"],
            "name": ["A", "B", "C", "D"],
            "epci": ["CC Nord", "CC Nord", "CA Sud", None],
            "ifn": [8.0, 6.5, 3.0, 7.0],
            "places": [0, 2, 5, 0],
        }
    )
    table = carte.fragility_by_epci(frame).set_index("epci")
    assert list(table.index) == ["CC Nord", "Sans intercommunalité connue", "CA Sud"]  # most fragile first
    assert table.loc["CC Nord"].tolist() == [2, 7.25, 2, 1, 2]  # communes, mean, very fragile, without place, places
    assert table.loc["CA Sud", "very_fragile"] == 0 and table.loc["Sans intercommunalité connue", "without_place"] == 1
    assert carte.fragility_by_epci(frame.iloc[0:0]).empty


def test_the_place_list_tells_an_empty_base_from_filters_that_match_nothing():
    import pandas as pd

    from dashboard.components.carte import place_list

    assert "Aucun lieu enregistré." in str(place_list(pd.DataFrame(), filtered=False))
    assert "Aucun lieu ne correspond à ces filtres." in str(place_list(pd.DataFrame(), filtered=True))
