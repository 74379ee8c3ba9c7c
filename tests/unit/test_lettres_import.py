"""CSV imports of the Lettres: good rows written and audited, bad rows reported with line and reason."""

import datetime as dt
from pathlib import Path

import pytest

from db import lettres
from db.imports import UnusableFile, run_import
from db.interop import mailing
from db.models import AudienceFigure, AuditLog, NewsletterIssue, SubscriberSnapshot
from db.writes import PermissionDenied

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


def counts(report):
    return len(report.created), len(report.updated), len(report.unchanged)


def reasons(report):
    return [(issue.row, issue.reason) for issue in report.rejected]


def test_subscriber_import_reports_rejected_rows_and_keeps_good_ones(database, coordinator):
    report = run(database, mailing.import_subscribers, coordinator, (FIXTURES / "abonnes.csv").read_text())
    # "Lettre inconnue" is a list name the app did not know: the newsletter is created, with a warning.
    assert counts(report) == (3, 1, 0)
    assert reasons(report) == [
        (4, "abonnes : Le nombre doit être positif ou nul."),
        (7, "date : La date du relevé ne peut pas être postérieure à aujourd'hui."),
    ]
    assert [(w.row, w.field) for w in report.warnings] == [(3, "lettre")]
    assert "« Lettre inconnue » inconnue : créée" in report.warnings[0].reason
    assert report.summary == "Lignes : 3 créé(s), 1 mis à jour, 0 inchangé(s), 2 rejeté(s), 1 avertissement(s)."
    with database.session() as session:
        counted = {(s.newsletter.name, s.date.isoformat()): s.count for s in session.query(SubscriberSnapshot)}
        audits = session.query(AuditLog).filter_by(table_name="subscriber_snapshots").count()
    assert counted == {
        ("Lettre A", "2025-12-31"): 325,
        ("Lettre B", "2025-11-30"): 1055,
        ("Lettre inconnue", "2025-12-31"): 10,
    }
    assert audits == 4  # three creations and one update


def test_identical_rows_are_unchanged_and_write_no_journal_row(database, coordinator):
    text = "\n".join((FIXTURES / "envois.csv").read_text().splitlines()[:3])  # two distinct issues
    assert counts(run(database, mailing.import_issues, coordinator, text)) == (2, 0, 0)
    with database.session() as session:
        before = session.query(AuditLog).count()
    again = run(database, mailing.import_issues, coordinator, text)
    assert counts(again) == (0, 0, 2) and not again.rejected
    with database.session() as session:
        assert session.query(AuditLog).count() == before


def test_issue_import_with_statistics(database, coordinator):
    report = run(database, mailing.import_issues, coordinator, (FIXTURES / "envois.csv").read_text())
    assert counts(report) == (2, 1, 0)
    assert reasons(report) == [
        (4, "ouvertures : Les ouvertures ne peuvent pas dépasser le nombre de destinataires."),
        (5, "objet : L'objet est obligatoire. ; lien : Lien invalide : adresse web commençant par https:// attendue."),
    ]
    with database.session() as session:
        issues = {i.subject: (i.recipients, i.opens, i.clicks) for i in session.query(NewsletterIssue)}
    assert issues == {"La Lettre n°45": (323, 170, 40), "Sans statistiques": (None, None, None)}


def test_audience_import(database, coordinator):
    report = run(database, mailing.import_audience, coordinator, (FIXTURES / "audience.csv").read_text())
    assert counts(report) == (2, 0, 0)
    assert reasons(report) == [
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
    assert len(run(database, mailing.import_subscribers, coordinator, data).created) == 1


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "le fichier est vide"),
        ("lettre;jour;nombre\nLettre A;2025-01-01;3\n", "colonne(s) manquante(s) : date, abonnes"),
        ("\x00\x01PK\x03", "fichier binaire"),
    ],
)
def test_unusable_file_is_refused_as_a_whole(database, coordinator, text, message):
    with pytest.raises(UnusableFile) as error:
        run(database, mailing.import_subscribers, coordinator, text.encode())
    assert message in str(error.value)


def test_a_file_without_data_rows_imports_nothing(database, coordinator):
    report = run(database, mailing.import_subscribers, coordinator, "lettre;date;abonnes\n\n")
    assert report.nothing_imported and "Rien n'a été importé." in report.lines()


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


MAILCHIMP_HEADER = (
    "Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft Bounces,Hard Bounces,"
    "Total Bounces,Times Forwarded,Forwarded Opens,Unique Opens,Open Rate,Total Opens,Unique Clicks,Click Rate,"
    "Total Clicks,Unsubscribes,Abuse Complaints,Times Liked on Facebook,Folder Id,Unique Id"
)


def test_mailchimp_campaign_report_export_gives_one_issue_per_row(database, coordinator):
    text = "\n".join(
        [
            MAILCHIMP_HEADER,
            'Lettre 46,La Lettre n°46,Lettre A,"Nov 16, 2026 10:00 am",Monday,"1,234","1,230",2,2,4,0,0,615,50.00%,'
            '"1,020",123,10.00%,200,3,0,0,,a1b2c3',
            'Lettre 45,La Lettre n°45,Réseau 42 – partenaires,"Oct 5, 2026 6:30 pm",Monday,410,409,1,0,1,0,0,'
            "205,50.12%,300,41,10.02%,50,1,0,0,,d4e5f6",
        ]
    )
    report = run(database, mailing.import_issues, coordinator, text.encode("utf-8"))
    assert report.format == "Mailchimp (rapport de campagnes)"
    assert counts(report) == (2, 0, 0) and not report.rejected
    assert [(w.row, w.field) for w in report.warnings] == [(3, "lettre")]  # the unknown list: created
    with database.session() as session:
        issues = {
            i.subject: (i.newsletter.name, i.sent_on.isoformat(), i.recipients, i.opens, i.clicks)
            for i in session.query(NewsletterIssue)
        }
    assert issues == {
        "La Lettre n°46": ("Lettre A", "2026-11-16", 1234, 615, 123),
        "La Lettre n°45": ("Réseau 42 – partenaires", "2026-10-05", 410, 205, 41),
    }
    # The same export again: every row unchanged, whichever kind the user picked.
    again = run(database, mailing.import_subscribers, coordinator, text.encode("utf-8"))
    assert counts(again) == (0, 0, 2)


def test_mailchimp_audience_export_gives_one_snapshot(database, coordinator):
    header = (
        "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LATITUDE,"
        "LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION,LAST_CHANGED,LEID,EUID,NOTES,TAGS"
    )
    contacts = [f"personne{i}@exemple.fr,P,{i},2,2025-01-01 10:00:00,,,,,,,,,FR,,2025-02-01 10:00:00,{i},x{i},," for i in range(7)]
    contacts.append("PERSONNE1@exemple.fr,P,dup,2,,,,,,,,,,,,,,,,")  # the same address twice counts once
    text = "\n".join([header, *contacts]).encode("cp1252")
    report = run(
        database,
        lambda session, actor, data: mailing.import_lettres(
            session, actor, data, "abonnes", newsletter="Lettre B", on=dt.date(2026, 11, 30)
        ),
        coordinator,
        text,
    )
    assert report.format == "Mailchimp (export d'audience)" and counts(report) == (1, 0, 0)
    with database.session() as session:
        snapshots = [(s.newsletter.name, s.date.isoformat(), s.count) for s in session.query(SubscriberSnapshot)]
    assert snapshots == [("Lettre B", "2026-11-30", 7)]


def test_a_contacts_export_needs_its_newsletter_when_there_are_several(database, coordinator):
    with pytest.raises(UnusableFile, match="indiquer la lettre"):
        run(database, mailing.import_subscribers, coordinator, b"Email Address,MEMBER_RATING\na@b.fr,2\n")


def test_brevo_campaign_export(database, coordinator):
    text = (
        "Campaign ID;Campaign name;Subject;Sent date;Lists;Recipients;Delivered;Unique opens;Open rate;"
        "Unique clicks;Click rate\n"
        "12;Lettre novembre;La Lettre n°47;17/11/2026 09:30;Lettre A;1 200;1 190;600;50,42 %;90;7,56 %\n"
    )
    report = run(database, mailing.import_issues, coordinator, text.encode("cp1252"))
    assert report.format == "Brevo (export de campagnes)" and counts(report) == (1, 0, 0), report.lines()
    with database.session() as session:
        issue = session.query(NewsletterIssue).one()
        assert (issue.subject, issue.sent_on.isoformat(), issue.recipients, issue.opens, issue.clicks) == (
            "La Lettre n°47",
            "2026-11-17",
            1200,
            600,
            90,
        )


def test_unknown_layout_with_a_column_mapping(database, coordinator):
    text = "Liste;Envoyé le;Titre;Destinataires;Ouvreurs\nLettre A;2026-11-02 08:00;Numéro 3;100;40\n"
    with pytest.raises(UnusableFile, match="--map"):
        run(database, mailing.import_issues, coordinator, text.encode())
    mapping = {"lettre": "Liste", "date": "Envoyé le", "objet": "Titre", "ouvertures": "Ouvreurs"}
    report = run(
        database,
        lambda session, actor, data: mailing.import_lettres(session, actor, data, "envois", mapping=mapping),
        coordinator,
        text.encode(),
    )
    assert counts(report) == (1, 0, 0), report.lines()
    with database.session() as session:
        issue = session.query(NewsletterIssue).one()
        assert (issue.subject, issue.recipients, issue.opens) == ("Numéro 3", 100, 40)


def test_dry_run_reports_and_writes_nothing(database, coordinator):
    report = run_import(
        database,
        lambda session: mailing.import_subscribers(session, coordinator, (FIXTURES / "abonnes.csv").read_bytes()),
        dry_run=True,
    )
    assert report.dry_run and counts(report) == (3, 1, 0) and "Simulation : rien n'a été enregistré." in report.lines()
    with database.session() as session:
        assert session.query(SubscriberSnapshot).count() == 0
        assert session.query(AuditLog).filter_by(table_name="subscriber_snapshots").count() == 0


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Nov 16, 2026 10:00 am", "2026-11-16"),
        ("16/11/2026 22:15", "2026-11-16"),
        ("2026-11-16T09:00:00Z", "2026-11-16"),
        ("2026-11-16 09:00:00", "2026-11-16"),
        ("16/11/2026", "2026-11-16"),
    ],
)
def test_dates_and_date_times_of_the_tools(text, iso):
    assert mailing.parse_date(text) == iso


def test_numbers_and_rates_of_the_tools():
    assert [mailing.parse_count(t) for t in ("1,234", "1 234", "1\u202f234", "12", "12.0")] == [
        "1234",
        "1234",
        "1234",
        "12",
        "12",
    ]
    assert mailing.parse_rate("50.00%") == 0.5 and mailing.parse_rate("7,5 %") == 0.075
