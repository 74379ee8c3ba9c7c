"""CSV imports of the Lettres: good rows written and audited, bad rows reported with line and reason."""

from pathlib import Path

import pytest

from db import lettres
from db.interop import mailing
from db.models import AudienceFigure, AuditLog, NewsletterIssue, SubscriberSnapshot
from db.writes import PermissionDenied, ValidationError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "lettres"


@pytest.fixture
def coordinator(database, users):
    with database.transaction() as session:
        for name in ("Lettre A", "Lettre B"):
            lettres.save_newsletter(session, users["coordinator"], name=name)
    return users["coordinator"]


def run(database, importer, actor, text):
    with database.transaction() as session:
        return importer(session, actor, text)


def test_subscriber_import_reports_rejected_rows_and_keeps_good_ones(database, coordinator):
    report = run(database, mailing.import_subscribers, coordinator, (FIXTURES / "abonnes.csv").read_text())
    assert (report.created, report.updated) == (2, 1)
    assert report.rejected == [
        (3, "lettre : Lettre inconnue « Lettre inconnue » : la créer d'abord sur la page."),
        (4, "abonnes : Le nombre doit être positif ou nul."),
        (7, "date : La date du relevé ne peut pas être postérieure à aujourd'hui."),
    ]
    assert report.summary == "2 ligne(s) créée(s), 1 mise(s) à jour, 3 rejetée(s)."
    with database.session() as session:
        counts = {(s.newsletter.name, s.date.isoformat()): s.count for s in session.query(SubscriberSnapshot)}
        audits = session.query(AuditLog).filter_by(table_name="subscriber_snapshots").count()
    assert counts == {("Lettre A", "2025-12-31"): 325, ("Lettre B", "2025-11-30"): 1055}
    assert audits == 3  # two creations and one update


def test_issue_import_with_statistics(database, coordinator):
    report = run(database, mailing.import_issues, coordinator, (FIXTURES / "envois.csv").read_text())
    assert (report.created, report.updated) == (2, 1)
    assert report.rejected == [
        (4, "ouvertures : Les ouvertures ne peuvent pas dépasser le nombre de destinataires."),
        (5, "objet : L'objet est obligatoire. ; lien : Lien invalide : adresse web commençant par https:// attendue."),
    ]
    with database.session() as session:
        issues = {i.subject: (i.recipients, i.opens, i.clicks) for i in session.query(NewsletterIssue)}
    assert issues == {"La Lettre n°45": (323, 170, 40), "Sans statistiques": (None, None, None)}


def test_audience_import(database, coordinator):
    report = run(database, mailing.import_audience, coordinator, (FIXTURES / "audience.csv").read_text())
    assert (report.created, report.updated) == (2, 0)
    assert report.rejected == [
        (4, "periode : Mois invalide : entre 01 et 12."),
        (
            5,
            "indicateur : Indicateur invalide : lettres minuscules, chiffres et « _ » (ex. site_visiteurs_uniques). "
            "; source : La source est obligatoire.",
        ),
    ]
    with database.session() as session:
        figures = {(f.indicator, f.period_kind): f.value for f in session.query(AudienceFigure)}
    assert figures == {("site_visiteurs_uniques", "month"): 2480, ("chat_messages", "year"): 28380}


def test_windows_encoding_and_comma_separator(database, coordinator):
    data = "lettre,date,abonnés\nLettre A,2025-01-31,12\n".encode("cp1252")
    text = mailing.decode(data)
    assert "abonnés" in text
    assert run(database, mailing.import_subscribers, coordinator, text).created == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Le fichier est vide."),
        ("lettre;date;abonnes\n\n", "Le fichier ne contient aucune ligne de données."),
        (
            "lettre;jour;nombre\nLettre A;2025-01-01;3\n",
            "Colonne(s) manquante(s) : date, abonnes. En-tête attendu : lettre;date;abonnes.",
        ),
    ],
)
def test_unusable_file_is_refused_as_a_whole(database, coordinator, text, message):
    with pytest.raises(ValidationError) as error:
        run(database, mailing.import_subscribers, coordinator, text)
    assert error.value.errors == {"": message}


def test_a_crash_in_the_middle_writes_nothing(database, coordinator, monkeypatch):
    real, calls = lettres.record_snapshot, []

    def crash_on_second_row(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disque plein")
        return real(*args, **kwargs)

    monkeypatch.setattr(lettres, "record_snapshot", crash_on_second_row)
    text = "lettre;date;abonnes\nLettre A;2025-01-31;12\nLettre B;2025-01-31;13\n"
    with pytest.raises(RuntimeError):
        run(database, mailing.import_subscribers, coordinator, text)
    with database.session() as session:
        assert session.query(SubscriberSnapshot).count() == 0
        assert session.query(AuditLog).filter_by(table_name="subscriber_snapshots").count() == 0


@pytest.mark.parametrize("importer", list(mailing.IMPORTERS.values()))
def test_viewer_cannot_import(database, coordinator, users, importer):
    text = (FIXTURES / "abonnes.csv").read_text()
    with pytest.raises(PermissionDenied):
        run(database, importer, users["viewer"], text)
    with database.session() as session:
        assert session.query(SubscriberSnapshot).count() + session.query(NewsletterIssue).count() == 0
        assert session.query(AudienceFigure).count() == 0
