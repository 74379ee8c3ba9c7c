"""The convention as data, the network's actions, the report they make and its frozen versions (SQLite and
PostgreSQL)."""

import datetime as dt
import io
import json
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from db import actions, report_document, report_render, report_versions
from db import convention as conv
from db.models import Action, Commune, EquipmentItem, Loan, Mission, ReportVersion, Role
from db.rapport import save_narrative
from db.writes import PermissionDenied, ValidationError
from tests.conftest import make_user

YEAR = 2021
DOCUMENT = {
    "format": "mednum-convention",
    "version": 1,
    "title": "Convention d'objectifs",
    "partner": "Département de la Loire",
    "first_year": 2021,
    "last_year": 2021,
    "axes": [
        {
            "title": "Animation de réseau",
            "missions": [
                {"key": "veille", "title": "Mettre en place un outil de veille partagée", "figures": []},
                {"key": "materiel", "title": "Mutualisation de ressources matérielles", "figures": ["loan_days"]},
            ],
        },
        {
            "title": "Accompagnement de politiques publiques et ingénierie de projets",
            "missions": [{"key": "aidants", "title": "Accompagner le déploiement d'Aidants Connect"}],
        },
    ],
}


@pytest.fixture
def people(database):
    return {role.value: make_user(database, role.value) for role in Role}


@pytest.fixture
def convention(database, people):
    with database.transaction() as session:
        conv.import_document(session, people["admin"], DOCUMENT)
    with database.session() as session:
        return {m.key: m.id for m in conv.missions(conv.for_year(session, YEAR))}


def test_convention_round_trip_and_update_in_place(database, people, convention):
    with database.session() as session:
        exported = conv.export_document(conv.for_year(session, YEAR))
    assert exported["axes"][0]["missions"][1] == {
        "key": "materiel",
        "title": "Mutualisation de ressources matérielles",
        "description": None,
        "figures": ["loan_days"],
    }
    changed = json.loads(json.dumps(exported))
    changed["axes"][0]["missions"].reverse()
    changed["axes"][1]["missions"].append({"key": "ifn", "title": "Indice de fragilité numérique"})
    with database.transaction() as session:
        _, created = conv.import_document(session, people["admin"], json.dumps(changed).encode())
    assert not created
    with database.session() as session:
        missions = conv.missions(conv.for_year(session, YEAR))
    assert [m.key for m in missions] == ["materiel", "veille", "aidants", "ifn"]
    assert {m.key: m.id for m in missions if m.key != "ifn"} == convention  # kept missions keep their ids


def test_convention_import_refusals(database, people, convention):
    bad = {**DOCUMENT, "first_year": 2020, "last_year": 2022}
    with database.transaction() as session, pytest.raises(ValidationError) as refused:
        conv.import_document(session, people["admin"], bad)
    assert "recouvrent" in refused.value.errors["first_year"]
    broken = json.loads(json.dumps(DOCUMENT))
    broken["first_year"] = broken["last_year"] = 2024
    broken["axes"][0]["missions"][0]["figures"] = ["nope"]
    broken["axes"][0]["missions"][1]["key"] = "veille"
    with database.transaction() as session, pytest.raises(ValidationError) as refused:
        conv.import_document(session, people["admin"], broken)
    assert set(refused.value.errors) == {"axes[1].missions[1].figures", "axes[1].missions[2].key"}
    with database.transaction() as session, pytest.raises(ValidationError):
        conv.import_document(session, people["admin"], b"{not json")
    with database.transaction() as session, pytest.raises(PermissionDenied):
        conv.import_document(session, people["coordinator"], {**DOCUMENT, "first_year": 2030, "last_year": 2030})


def test_copy_from_last_year_and_edit_a_mission(database, people, convention):
    with database.transaction() as session:
        source = conv.for_year(session, YEAR).id
        message = conv.copy_convention(session, people["admin"], source_id=source, first_year=2022, last_year=2023)
    assert "2022–2023" in message
    with database.transaction() as session:
        axis = conv.for_year(session, 2022).axes[0]
        conv.save_mission(
            session, people["admin"], axis_id=axis.id, title="Proposer des temps de rencontre aux tiers-lieux",
            position=1, figures=["events"],
        )  # fmt: skip
    with database.session() as session:
        new = conv.missions(conv.for_year(session, 2022))
        old = conv.missions(conv.for_year(session, YEAR))
    assert [m.key for m in new][:3] == ["proposer-des-temps-de-rencontre-aux-tiers-lieux", "veille", "materiel"]
    assert [f.figure_key for f in new[0].figures] == ["events"]
    assert len(old) == 3  # last year's is untouched
    with database.transaction() as session, pytest.raises(ValidationError):
        conv.copy_convention(session, people["admin"], source_id=source, first_year=2021)


def test_actions_form_rules_csv_import_and_listing(database, people, convention):
    with database.transaction() as session, pytest.raises(ValidationError) as refused:
        actions.save_action(session, people["coordinator"], title="", kind="?", start_date="31/02/2021",
                            participants="-3", links="javascript:alert(1)")  # fmt: skip
    assert set(refused.value.errors) >= {"title", "kind", "start_date", "participants", "links"}
    with database.transaction() as session, pytest.raises(PermissionDenied):
        actions.save_action(session, people["viewer"], title="x", kind="rencontre", start_date="2021-04-27")
    with database.transaction() as session:
        actions.save_action(
            session, people["coordinator"], title="Rencontre départementale des tiers-lieux numériques",
            kind="rencontre", start_date="27/04/2021", missions=[convention["veille"]],
            partner_names="Tiers-lieu du Pilat\nFabLab Roannais", commune="Saint-Étienne", public="Tiers-lieux",
            participants="18", hours="3", account="Une matinée **d'échanges**.", links="https://exemple.fr/cr",
        )  # fmt: skip
    csv_text = (
        "titre;type;debut;fin;missions;partenaires;participants;heures\n"
        "Formation Inkscape;Formation;14/10/2021;;materiel;FabLab de Bellevue;10;6\n"
        "Sans date;formation;;;materiel;;;\n"
        "Mauvaise mission;intervention;02/03/2021;;inconnue;;;\n"
    )
    with database.transaction() as session:
        report = actions.import_csv(session, people["coordinator"], csv_text.encode("cp1252", errors="replace"))
    assert report.created == 1 and [line for line, _ in report.rejected] == [3, 4]
    assert "debut" in report.rejected[0][1] and "inconnue" in report.rejected[1][1]
    with database.session() as session:
        page = actions.actions_page(session, actions.ActionFilters(mission_id=convention["materiel"]))
        everything = actions.export_frame(session, actions.ActionFilters(text="pilat"))
        count = len(session.scalars(select(Action)).all())
    assert count == 2 and page.total == 1 and page.rows.iloc[0]["title"] == "Formation Inkscape"
    assert list(everything["Titre"]) == ["Rencontre départementale des tiers-lieux numériques"]
    assert everything.iloc[0]["Partenaires"] == "Tiers-lieu du Pilat | FabLab Roannais"


def _loan(session, days: int, mission_id=None) -> Loan:
    item = session.scalar(select(EquipmentItem)) or EquipmentItem(name="Kit robotique", category="Robotique", units=2)
    session.add(item)
    session.flush()
    start = dt.date(YEAR, 3, 1)
    loan = Loan(item_id=item.id, borrower_name="Centre social", start_date=start,
                end_date=start + dt.timedelta(days=days - 1), returned_on=start + dt.timedelta(days=days - 1),
                mission_id=mission_id)  # fmt: skip
    session.add(loan)
    return loan


def test_report_from_the_convention_in_three_formats_with_safe_markdown(database, people, convention):
    with database.transaction() as session:
        _loan(session, 10, convention["materiel"])
        actions.save_action(session, people["coordinator"], title="Rencontre des tiers-lieux", kind="rencontre",
                            start_date="2021-04-27", missions=[convention["veille"]], participants=18)  # fmt: skip
        save_narrative(session, people["coordinator"], year=YEAR, mission="veille",
                       text="Un **outil** partagé.\n\n- premier point\n- second point\n\n<script>alert(1)</script>")  # fmt: skip
        save_narrative(session, people["coordinator"], year=YEAR, mission="conclusion", text="Une année utile.")
        with pytest.raises(ValidationError):
            save_narrative(session, people["coordinator"], year=YEAR, mission="inconnue", text="x")
    with database.session() as session:
        report = report_document.build(session, YEAR)
        files = {ext: report_render.rendered(session, YEAR, ext) for ext in ("html", "pdf", "docx")}
    assert [axis.title for axis in report.axes] == [a["title"] for a in DOCUMENT["axes"]]
    materiel = next(m for m in report.missions if m.key == "materiel")
    assert materiel.figures[0].value == 10 and materiel.actions[0].origin == "prêt"
    assert materiel.actions[0].title == "Prêts : Kit robotique (1 prêt, 10 jours de prêt)"
    assert report.missions[0].actions[0].title == "Rencontre des tiers-lieux"
    page = files["html"]
    assert "<strong>outil</strong>" in page and "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Une année utile." in page and "Mutualisation de ressources matérielles" in page
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(files["pdf"])).pages).split())
    assert "Axe 2 — Accompagnement de politiques publiques" in text and "Rencontre des tiers-lieux" in text
    with zipfile.ZipFile(io.BytesIO(files["docx"])) as archive:
        body = archive.read("word/document.xml").decode()
    assert "Mettre en place un outil de veille partagée" in body and "Une année utile." in body
    assert ConventionReport_round_trip(report)


def ConventionReport_round_trip(report) -> bool:  # noqa: N802 - reads as the property it checks
    again = report_document.ConventionReport.from_dict(json.loads(json.dumps(report.to_dict())))
    return again == report


def test_a_validated_version_does_not_change_and_the_differences_are_listed(database, people, convention):
    with database.transaction() as session:
        loan = _loan(session, 10)
        session.flush()
        loan_id = loan.id
    with database.transaction() as session, pytest.raises(PermissionDenied):
        report_versions.validate(session, people["viewer"], year=YEAR)
    with database.transaction() as session:
        report_versions.validate(session, people["coordinator"], year=YEAR, note="Envoyé au Département")
    with database.session() as session:
        sent_pdf = report_versions.version_file(session, YEAR, 1, "pdf")
        assert report_versions.differences(session, YEAR) == (1, [])
    with database.transaction() as session:
        loan = session.get(Loan, loan_id)
        loan.end_date = loan.returned_on = dt.date(YEAR, 3, 14)  # 14 days now
    with database.session() as session:
        number, changes = report_versions.differences(session, YEAR)
        frozen = report_versions.version_document(session, YEAR)
        assert report_versions.version_file(session, YEAR, 1, "pdf") == sent_pdf
        assert report_versions.version_file(session, YEAR, 2, "pdf") is None
    assert frozen.missions[1].figures[0].value == 10 and frozen.version["number"] == 1
    assert [(c.what, c.sent, c.now) for c in changes] == [("Jours de prêt de matériel (1 prêt)", "10", "14")]
    with database.transaction() as session:
        report_versions.validate(session, people["coordinator"], year=YEAR)
    with database.session() as session:
        listed = report_versions.versions(session, YEAR)
        assert report_versions.differences(session, YEAR) == (2, [])
        assert session.scalar(select(ReportVersion.note).where(ReportVersion.number == 1)) == "Envoyé au Département"
    assert [v.number for v in listed] == [2, 1]


def test_deleting_a_mission_detaches_its_records(database, people, convention):
    with database.transaction() as session:
        loan = _loan(session, 3, convention["aidants"])
        session.flush()
        loan_id = loan.id
        session.delete(session.get(Mission, convention["aidants"]))
    with database.session() as session:
        assert session.get(Loan, loan_id).mission_id is None


def test_a_training_attached_to_a_mission_is_told_under_it(database, people, convention):
    from db import formations

    with database.transaction() as session:
        training = formations.save_training(
            session, people["coordinator"], programme="FabLab", title="Initiation à Inkscape", kind="formation",
            mission_id=str(convention["materiel"]),
        )  # fmt: skip
        formations.save_session(session, people["coordinator"], training_id=training.id, date="2021-10-14", location="FabLab de Bellevue",
                                capacity="10", registered_count="10", present_count="9", duration_minutes="360")  # fmt: skip
        with pytest.raises(ValidationError) as refused:
            formations.save_training(session, people["coordinator"], programme="X", title="Y", kind="formation",
                                     mission_id="999999")  # fmt: skip
        assert refused.value.errors["mission_id"] == "Mission introuvable."
        values = formations.training_values(session, training.id)
    assert values["mission_id"] == str(convention["materiel"])
    with database.session() as session:
        report = report_document.build(session, YEAR)
    told = next(m for m in report.missions if m.key == "materiel").actions
    assert [(line.title, line.participants, line.hours) for line in told] == [
        ("Initiation à Inkscape (1 session)", 9, 6.0)
    ]


def test_a_loan_booked_under_a_mission(database, people, convention):
    from db import materiel

    with database.transaction() as session:
        item = EquipmentItem(name="Vidéoprojecteur", category="Audiovisuel", units=1)
        session.add_all([item, Commune(insee="42094", name="Feurs")])
        session.flush()
        loan = materiel.create_loan(
            session, people["coordinator"], item_id=str(item.id), borrower_name="Centre social", borrower_commune="Feurs", start_date="2021-05-03",
            end_date="2021-05-04", mission_id=str(convention["aidants"]), today=dt.date(2021, 5, 1),
        )  # fmt: skip
        assert loan.mission_id == convention["aidants"]
        with pytest.raises(ValidationError) as refused:
            materiel.create_loan(
                session, people["coordinator"], item_id=str(item.id), borrower_name="X", borrower_commune="Feurs", start_date="2021-06-03",
                end_date="2021-06-04", mission_id="424242", today=dt.date(2021, 5, 1),
            )  # fmt: skip
    assert refused.value.errors == {"mission_id": "Mission introuvable."}


def test_an_event_under_a_mission_is_told_under_it(database, people, convention):
    from db import agenda

    with database.transaction() as session:
        event = agenda.save_event(
            session, people["coordinator"], title="Forum de l'inclusion numérique", occurrences="15/03/2021",
            status="scheduled", attendance_mode="offline", location_name="Médiathèque", city="Montbrison",
            mission_id=str(convention["aidants"]),
        )  # fmt: skip
        assert agenda.event_form_values(session, event.id)["mission_id"] == str(convention["aidants"])
        with pytest.raises(ValidationError) as refused:
            agenda.save_event(session, people["coordinator"], title="x", occurrences="16/03/2021", mission_id="77777")
        assert refused.value.errors["mission_id"] == "Mission introuvable."
    with database.session() as session:
        report = report_document.build(session, YEAR)
    told = next(m for m in report.missions if m.key == "aidants").actions
    assert [(line.when, line.title, line.origin) for line in told] == [
        ("15/03/2021", "Forum de l'inclusion numérique", "événement")
    ]
