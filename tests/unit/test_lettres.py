"""Lettres: write rules (roles, every validation message, audit rows) and every count and rate on fixed cases."""

import datetime as dt
import math

import pytest

from db import clock, lettres
from db.models import AudienceFigure, AuditLog, Newsletter, NewsletterIssue, SubscriberSnapshot
from db.periods import Period
from db.writes import PermissionDenied, ValidationError

TODAY = dt.date(2026, 6, 15)
MODELS = (Newsletter, NewsletterIssue, SubscriberSnapshot, AudienceFigure)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def add_newsletter(database, actor, name, **fields):
    with database.transaction() as session:
        return lettres.save_newsletter(session, actor, name=name, **fields).row.id


def refused(database, write, **fields) -> dict:
    """The per-field messages of a refused write; asserts the write left no row behind."""

    def counts():
        with database.session() as session:
            return [session.query(model).count() for model in (*MODELS, AuditLog)]

    before = counts()
    with pytest.raises(ValidationError) as error, database.transaction() as session:
        write(session, **fields)
    assert counts() == before
    return error.value.errors


@pytest.fixture
def network(database, users):
    """Two newsletters with snapshots and issues whose figures are computed by hand in the tests below."""
    actor = users["coordinator"]
    a = add_newsletter(database, actor, "Lettre A", audience="Aidants", platform="Sendinblue")
    b = add_newsletter(database, actor, "Lettre B")
    with database.transaction() as session:
        for newsletter, day, count in [
            (a, "2025-01-10", 100),
            (a, "2025-06-30", 120),
            (b, "2025-03-01", 50),
            (b, "2026-01-05", 70),
        ]:
            lettres.record_snapshot(session, actor, newsletter_id=newsletter, date=day, count=count, today=TODAY)
        for newsletter, day, subject, stats in [
            (a, "2025-02-01", "A1", (100, 40, 10)),
            (a, "2025-05-01", "A2", (300, 60, 5)),
            (a, "2025-09-01", "A3", (None, None, None)),
            (b, "2025-04-01", "B1", (0, 0, 0)),
            (b, "2026-02-01", "B2", (70, 35, 7)),
        ]:
            recipients, opens, clicks = stats
            lettres.record_issue(
                session,
                actor,
                newsletter_id=newsletter,
                sent_on=day,
                subject=subject,
                recipients=recipients,
                opens=opens,
                clicks=clicks,
                today=TODAY,
            )
    return {"a": a, "b": b, "actor": actor}


# --- counts and rates -------------------------------------------------------------------------------------------


def test_reach_sums_each_newsletters_latest_count_inside_the_period(database, network):
    """A count is read in its own period only: never carried forward into a period without one."""
    with database.session() as session:
        reach_2025 = lettres.newsletter_reach_figure(session, Period.year(2025))
        assert (reach_2025.value, reach_2025.as_of, reach_2025.note) == (120 + 50, d("2025-06-30"), "")
        reach_2026 = lettres.newsletter_reach_figure(session, Period.year(2026))
        assert reach_2026.value == 70 and "1 lettre(s) sur 2 sans relevé" in reach_2026.note
        none = lettres.newsletter_reach_figure(session, Period.year(2024))
        assert (none.value, none.note) == (None, lettres.NO_RECORD)
        assert lettres.newsletter_reach_figure(session, Period.year(2026), [network["a"]]).value is None


def test_subscribers_by_month_carries_the_latest_count_forward(database, network):
    with database.session() as session:
        frame = lettres.subscribers_by_month(session, Period.year(2025))
    by_month = {(row.month_end, row.newsletter): row.subscribers for row in frame.itertuples()}
    assert by_month[(d("2025-01-31"), "Lettre A")] == 100
    assert (d("2025-01-31"), "Lettre B") not in by_month  # before its first snapshot
    assert by_month[(d("2025-03-31"), "Lettre B")] == 50
    assert by_month[(d("2025-06-30"), "Lettre A")] == 120
    assert by_month[(d("2025-12-31"), "Lettre A")] + by_month[(d("2025-12-31"), "Lettre B")] == 170
    assert len(frame) == 12 + 10


def test_subscribers_by_month_ends_on_a_period_end_inside_a_month(database, network):
    with database.session() as session:
        frame = lettres.subscribers_by_month(session, Period(d("2026-01-01"), d("2026-01-20")), [network["b"]])
    assert frame.to_dict("records") == [{"month_end": d("2026-01-20"), "newsletter": "Lettre B", "subscribers": 70}]


def test_issues_per_year_and_weighted_rates(database, network):
    with database.session() as session:
        frame = lettres.issues_per_year(session)
    rows = {(row.year, row.newsletter): row for row in frame.itertuples()}
    a = rows[(2025, "Lettre A")]
    assert (a.issues, a.with_stats, a.recipients, a.opens, a.clicks) == (3, 2, 400, 100, 15)
    assert a.open_rate == pytest.approx(0.25) and a.click_rate == pytest.approx(0.0375)
    b = rows[(2025, "Lettre B")]
    assert (b.issues, b.with_stats) == (1, 1) and math.isnan(b.open_rate)  # 0 recipients: no rate
    assert rows[(2026, "Lettre B")].open_rate == pytest.approx(0.5)
    assert len(frame) == 3
    with database.session() as session:
        per_year = lettres.issues_per_year(session, by_newsletter=False, last_year=2025).set_index("year")
    assert list(per_year.index) == [2025]
    assert (per_year.loc[2025, "issues"], per_year.loc[2025, "with_stats"]) == (4, 3)
    assert per_year.loc[2025, "open_rate"] == pytest.approx(100 / 400)  # B1 has 0 recipients: adds nothing


def test_issue_list_rates_and_key_figures(database, network):
    period = Period.year(2025)
    with database.session() as session:
        issues = lettres.list_issues(session, period)
        count = lettres.issue_count_figure(session, period)
        rate = lettres.open_rate_figure(session, period)
        rate_b = lettres.open_rate_figure(session, period, [network["b"]])
    assert list(issues["subject"]) == ["A3", "A2", "B1", "A1"]
    a1 = issues.set_index("subject").loc["A1"]
    assert (a1.open_rate, a1.click_rate) == (pytest.approx(0.4), pytest.approx(0.1))
    assert math.isnan(issues.set_index("subject").loc["A3"].open_rate)
    assert (count.value, count.as_of) == (4, d("2025-09-01"))
    assert rate.value == 25.0 and "2 envois" in rate.source
    assert rate_b.value is None and rate_b.source == "Aucun envoi avec statistiques d'ouverture"


def test_newsletter_list_with_latest_count_and_issue_count(database, network):
    with database.session() as session:
        frame = lettres.list_newsletters(session).set_index("name")
    assert frame.loc["Lettre A", "subscribers"] == 120 and frame.loc["Lettre A", "issues"] == 3
    assert frame.loc["Lettre B", "as_of"] == d("2026-01-05") and frame.loc["Lettre A", "platform"] == "Sendinblue"
    with database.session() as session:
        in_2025 = lettres.list_newsletters(session, Period.year(2025)).set_index("name")
        in_2024 = lettres.list_newsletters(session, Period.year(2024)).set_index("name")
    assert (in_2025.loc["Lettre B", "subscribers"], in_2025.loc["Lettre B", "as_of"]) == (50, d("2025-03-01"))
    assert (in_2025.loc["Lettre B", "issues"], in_2025.loc["Lettre A", "issues"]) == (1, 3)
    assert in_2024["subscribers"].isna().all() and (in_2024["issues"] == 0).all()


def test_audience_series_latest_value_date_and_source(database, users):
    actor = users["coordinator"]
    with database.transaction() as session:
        for indicator, period, value, source in [
            ("site_visiteurs_uniques", "2025-11", 2300, "Matomo"),
            ("site_visiteurs_uniques", "2025-12", "2 400", "Matomo"),
            ("chat_messages", "2024", 23100, "Mattermost"),
            ("chat_messages", "2025", 28380, "Mattermost export"),
            ("outil_maison", "2025", "12,5", "Tableur"),
        ]:
            lettres.record_audience_figure(
                session, actor, indicator=indicator, period=period, value=value, source=source, today=TODAY
            )
    with database.session() as session:
        series = lettres.audience_series(session, ["site_visiteurs_uniques"])
        latest = lettres.latest_audience(session)
        as_of_2024 = lettres.latest_audience(session, d("2024-12-31"))
        year = Period.year(2025)
        mean = lettres.monthly_statistic_figure(session, "site_visiteurs_uniques", year, "mean")
        peak = lettres.monthly_statistic_figure(session, "site_visiteurs_uniques", year, "max")
        autumn = lettres.monthly_statistic_figure(
            session, "site_visiteurs_uniques", Period(d("2025-10-01"), d("2025-12-31")), "mean"
        )
        messages = lettres.latest_record_figure(session, "chat_messages", year)
        later = lettres.latest_record_figure(session, "chat_messages", Period.year(2026))
        never = lettres.latest_record_figure(session, "wiki_pages", year)
    assert list(series["value"]) == [2300, 2400] and set(series["period_kind"]) == {"month"}
    assert list(latest["indicator"]) == ["site_visiteurs_uniques", "chat_messages", "outil_maison"]
    chat = latest.set_index("indicator").loc["chat_messages"]
    assert (chat.value, chat.period_start, chat.source, chat.label) == (
        28380,
        d("2025-01-01"),
        "Mattermost export",
        "Messages du chat",
    )
    assert latest.set_index("indicator").loc["outil_maison", "value"] == 12.5
    assert list(as_of_2024["indicator"]) == ["chat_messages"]
    # The monthly statistic reads the months that have a record and names the others.
    assert (mean.value, mean.as_of, peak.value) == (2350, d("2025-12-01"), 2400)
    assert mean.source == "Relevés mensuels (Matomo)" and mean.note.startswith("Sans relevé : 01/2025, 02/2025")
    assert (autumn.value, autumn.note) == (2350, "Sans relevé : 10/2025.")
    assert (messages.value, messages.as_of, messages.detail) == (28380, d("2025-01-01"), "Année 2025")
    assert (later.value, later.note) == (None, lettres.NO_RECORD)
    assert never.value is None and never.as_of is None


def test_demo_reach_at_the_end_of_the_demo_year_is_916(database):
    from db.demo import demo_year, seed_demo

    today = clock.today()
    with database.transaction() as session:
        seed_demo(session, today)
    with database.session() as session:
        assert lettres.newsletter_reach_figure(session, Period.year(demo_year(today))).value == 323 + 55 + 198 + 340


# --- write rules ------------------------------------------------------------------------------------------------


def test_newsletter_create_edit_and_audit(database, users):
    actor = users["coordinator"]
    newsletter_id = add_newsletter(database, actor, "  Lettre A ", audience="Élus", platform="")
    with database.transaction() as session:
        saved = lettres.save_newsletter(
            session, users["admin"], newsletter_id=str(newsletter_id), name="Lettre A2", audience=None, platform="Brevo"
        )
        assert not saved.created
    with database.session() as session:
        newsletter = session.get(Newsletter, newsletter_id)
        assert (newsletter.name, newsletter.audience, newsletter.platform) == ("Lettre A2", None, "Brevo")
        rows = session.query(AuditLog).filter_by(table_name="newsletters").order_by(AuditLog.id).all()
    assert [row.action for row in rows] == ["create", "update"]
    assert rows[0].after["name"] == "Lettre A" and rows[0].after["platform"] is None
    assert rows[1].before["name"] == "Lettre A" and rows[1].user_email == "admin@example.org"


def test_newsletter_validation_messages(database, users):
    actor = users["coordinator"]
    add_newsletter(database, actor, "Lettre A")
    errors = refused(database, lettres.save_newsletter, actor=actor, name=" ", audience="x" * 201, platform="y" * 101)
    assert errors == {
        "name": "Le nom est obligatoire.",
        "audience": "Le public ne doit pas dépasser 200 caractères.",
        "platform": "La plateforme ne doit pas dépasser 100 caractères.",
    }
    assert refused(database, lettres.save_newsletter, actor=actor, name="LETTRE a") == {
        "name": "Une lettre porte déjà ce nom."
    }
    assert refused(database, lettres.save_newsletter, actor=actor, newsletter_id="999", name="Autre") == {
        "newsletter_id": "Lettre d'information introuvable."
    }


def test_snapshot_on_the_same_date_updates_it(database, users):
    actor = users["coordinator"]
    newsletter_id = add_newsletter(database, actor, "Lettre A")
    with database.transaction() as session:
        first = lettres.record_snapshot(session, actor, newsletter_id=newsletter_id, date="01/06/2026", count="300")
        second = lettres.record_snapshot(session, actor, newsletter_id=newsletter_id, date="2026-06-01", count=310)
    assert first.created and not second.created
    with database.session() as session:
        assert [(s.date, s.count) for s in session.query(SubscriberSnapshot)] == [(d("2026-06-01"), 310)]
        audits = session.query(AuditLog).filter_by(table_name="subscriber_snapshots").order_by(AuditLog.id).all()
    assert [(a.action, (a.before or {}).get("count"), a.after["count"]) for a in audits] == [
        ("create", None, 300),
        ("update", 300, 310),
    ]


def test_snapshot_validation_messages(database, users):
    actor = users["coordinator"]
    newsletter_id = add_newsletter(database, actor, "Lettre A")
    write = lettres.record_snapshot
    assert refused(database, write, actor=actor, newsletter_id=None, date=None, count=None, today=TODAY) == {
        "newsletter_id": "Choisir une lettre d'information.",
        "date": "La date du relevé est obligatoire.",
        "count": "Le nombre d'abonnés est obligatoire.",
    }
    assert refused(database, write, actor=actor, newsletter_id="x", date="32/01/2026", count=-1, today=TODAY) == {
        "newsletter_id": "Lettre d'information introuvable.",
        "date": "Date invalide : format attendu JJ/MM/AAAA ou AAAA-MM-JJ.",
        "count": "Le nombre doit être positif ou nul.",
    }
    assert refused(
        database, write, actor=actor, newsletter_id=newsletter_id, date="2026-06-16", count="douze", today=TODAY
    ) == {
        "date": "La date du relevé ne peut pas être postérieure à aujourd'hui.",
        "count": "Nombre entier attendu.",
    }


def test_issue_records_then_updates_its_statistics(database, users):
    actor = users["coordinator"]
    newsletter_id = add_newsletter(database, actor, "Lettre A")
    fields = dict(newsletter_id=newsletter_id, sent_on="2026-05-04", subject=" N°1 ", today=TODAY)
    with database.transaction() as session:
        first = lettres.record_issue(session, actor, link="https://exemple.fr/1", **fields)
        second = lettres.record_issue(session, actor, recipients="1 000", opens=400, clicks=0, **fields)
    assert first.created and not second.created
    with database.session() as session:
        issue = session.query(NewsletterIssue).one()
        assert (issue.subject, issue.link, issue.recipients, issue.opens, issue.clicks) == ("N°1", None, 1000, 400, 0)
        assert session.query(AuditLog).filter_by(table_name="newsletter_issues").count() == 2


def test_an_issue_read_back_into_its_form_records_onto_itself(database, users):
    """The values a row's « Modifier » loads (`issue_values`), saved again with a correction, update that issue."""
    actor = users["coordinator"]
    newsletter_id = add_newsletter(database, actor, "Lettre A")
    with database.transaction() as session:
        issue = lettres.record_issue(
            session, actor, newsletter_id=newsletter_id, sent_on="2026-05-04", subject="N°1", today=TODAY
        ).row
        issue_id = issue.id
    with database.session() as session:
        values = lettres.issue_values(session, issue_id)
        assert lettres.issue_values(session, issue_id + 1) is None
    assert values == {
        "newsletter_id": str(newsletter_id), "sent_on": "2026-05-04", "subject": "N°1", "link": "",
        "recipients": None, "opens": None, "clicks": None,
    }  # fmt: skip
    with database.transaction() as session:
        saved = lettres.record_issue(session, actor, **(values | {"recipients": "300", "opens": "120"}), today=TODAY)
    assert not saved.created
    with database.session() as session:
        issue = session.query(NewsletterIssue).one()
        assert (issue.id, issue.recipients, issue.opens) == (issue_id, 300, 120)


def test_issue_validation_messages(database, users):
    actor = users["coordinator"]
    newsletter_id = add_newsletter(database, actor, "Lettre A")
    write = lettres.record_issue
    assert refused(database, write, actor=actor, newsletter_id="", sent_on="", subject="", today=TODAY) == {
        "newsletter_id": "Choisir une lettre d'information.",
        "sent_on": "La date d'envoi est obligatoire.",
        "subject": "L'objet est obligatoire.",
    }
    errors = refused(
        database,
        write,
        actor=actor,
        newsletter_id=newsletter_id,
        sent_on="2026-07-01",
        subject="x" * 301,
        link="javascript:alert(1)",
        recipients=100,
        opens=101,
        clicks=5,
        today=TODAY,
    )
    assert errors == {
        "sent_on": "La date d'envoi ne peut pas être postérieure à aujourd'hui.",
        "subject": "L'objet ne doit pas dépasser 300 caractères.",
        "link": "Lien invalide : adresse web commençant par https:// attendue.",
        "opens": "Les ouvertures ne peuvent pas dépasser le nombre de destinataires.",
    }
    errors = refused(
        database,
        write,
        actor=actor,
        newsletter_id=newsletter_id,
        sent_on="2026-06-01",
        subject="N°2",
        recipients="beaucoup",
        opens=10,
        clicks=11,
        today=TODAY,
    )
    assert errors == {
        "recipients": "Nombre entier attendu.",
        "clicks": "Les clics ne peuvent pas dépasser le nombre d'ouvertures.",
    }


def test_audience_figure_updates_same_period_and_validates(database, users):
    actor = users["coordinator"]
    with database.transaction() as session:
        lettres.record_audience_figure(
            session, actor, indicator=" Wiki_Pages ", period="03/2026", value=600, source="Wiki.js", today=TODAY
        )
        again = lettres.record_audience_figure(
            session, actor, indicator="wiki_pages", period="2026-03", value=674, source="Wiki.js", today=TODAY
        )
    assert not again.created
    with database.session() as session:
        figure = session.query(AudienceFigure).one()
        assert (figure.indicator, figure.period_kind, figure.period_start, figure.value) == (
            "wiki_pages",
            "month",
            d("2026-03-01"),
            674,
        )
        assert session.query(AuditLog).filter_by(table_name="audience_figures", action="update").count() == 1
    write = lettres.record_audience_figure
    assert refused(database, write, actor=actor, indicator="", period="", value="", source="", today=TODAY) == {
        "indicator": "Choisir un indicateur.",
        "period": "La période est obligatoire.",
        "value": "La valeur est obligatoire.",
        "source": "La source est obligatoire.",
    }
    assert refused(
        database, write, actor=actor, indicator="Visiteurs du site", period="2026-13", value=-3, source="M", today=TODAY
    ) == {
        "indicator": "Indicateur invalide : lettres minuscules, chiffres et « _ » (ex. site_visiteurs_uniques).",
        "period": "Mois invalide : entre 01 et 12.",
        "value": "Le nombre doit être positif ou nul.",
    }
    assert refused(
        database, write, actor=actor, indicator="x_y", period="2026-07", value=1, source="M", today=TODAY
    ) == {"period": "La période ne peut pas être dans le futur."}
    assert refused(
        database, write, actor=actor, indicator="x_y", period="mars", value="NaN", source="M", today=TODAY
    ) == {
        "period": "Période invalide : « 2025-03 » pour un mois, « 2025 » pour une année.",
        "value": "Nombre attendu.",
    }


@pytest.mark.parametrize(
    "write, fields",
    [
        (lettres.save_newsletter, {"name": "Lettre X"}),
        (lettres.record_snapshot, {"newsletter_id": 1, "date": "2025-01-01", "count": 1}),
        (lettres.record_issue, {"newsletter_id": 1, "sent_on": "2025-01-01", "subject": "S"}),
        (lettres.record_audience_figure, {"indicator": "wiki_pages", "period": "2025", "value": 1, "source": "W"}),
    ],
)
def test_viewer_cannot_write(database, users, write, fields):
    add_newsletter(database, users["coordinator"], "Lettre A")
    with pytest.raises(PermissionDenied), database.transaction() as session:
        write(session, users["viewer"], **fields)
    with database.session() as session:
        assert [session.query(model).count() for model in MODELS] == [1, 0, 0, 0]
        assert session.query(AuditLog).filter(AuditLog.table_name != "users").count() == 1


def pandas_subscribers_by_month(snapshots: list[tuple], period: Period) -> list[dict]:
    """The former pandas pivot of `subscribers_by_month`, kept as the reference its SQL version must equal."""
    import pandas as pd

    frame = pd.DataFrame(snapshots, columns=["newsletter", "date", "count"])
    frame["date"] = pd.to_datetime(frame["date"])
    ends = pd.date_range(pd.Timestamp(period.start), pd.Timestamp(period.end), freq="ME")
    if len(ends) == 0 or ends[-1] != pd.Timestamp(period.end):
        ends = ends.append(pd.DatetimeIndex([pd.Timestamp(period.end)]))
    wide = frame.pivot_table(index="date", columns="newsletter", values="count", aggfunc="last")
    wide = wide.reindex(wide.index.union(ends)).ffill().loc[ends]
    long = wide.reset_index(names="month_end").melt(
        id_vars="month_end", var_name="newsletter", value_name="subscribers"
    )
    long = long.dropna(subset=["subscribers"])
    long["subscribers"] = long["subscribers"].astype(int)
    long["month_end"] = long["month_end"].dt.date
    return long.sort_values(["month_end", "newsletter"])[["month_end", "newsletter", "subscribers"]].to_dict("records")


@pytest.mark.parametrize(
    "period",
    [
        Period.year(2025),
        Period(d("2024-11-15"), d("2026-01-20")),
        Period(d("2025-06-30"), d("2025-06-30")),
        Period(d("2022-01-01"), d("2025-12-31")),
    ],
)
def test_subscribers_by_month_in_sql_gives_the_former_pandas_numbers(database, users, period):
    actor = users["coordinator"]
    ids = {name: add_newsletter(database, actor, name) for name in ("Lettre A", "Lettre B", "Lettre C")}
    snapshots = [
        ("Lettre A", "2024-12-01", 90), ("Lettre A", "2025-01-10", 100), ("Lettre A", "2025-01-31", 105),
        ("Lettre A", "2025-06-30", 120), ("Lettre B", "2025-03-01", 50), ("Lettre B", "2025-03-20", 55),
        ("Lettre B", "2026-01-05", 70), ("Lettre C", "2025-06-01", 10), ("Lettre C", "2025-06-30", 12),
    ]  # fmt: skip
    with database.transaction() as session:
        for name, day, count in snapshots:
            lettres.record_snapshot(session, actor, newsletter_id=ids[name], date=day, count=count, today=TODAY)
    with database.session() as session:
        frame = lettres.subscribers_by_month(session, period)
    until_end = [(name, d(day), count) for name, day, count in snapshots if d(day) <= period.end]
    assert frame.to_dict("records") == pandas_subscribers_by_month(until_end, period)


def test_month_ends_and_carried_forward():
    assert lettres.month_ends(Period(d("2025-01-15"), d("2025-03-31"))) == [
        d("2025-01-31"), d("2025-02-28"), d("2025-03-31")
    ]  # fmt: skip
    assert lettres.month_ends(Period(d("2025-12-02"), d("2026-01-20"))) == [d("2025-12-31"), d("2026-01-20")]
    assert lettres.month_ends(Period(d("2025-02-03"), d("2025-02-10"))) == [d("2025-02-10")]
    snapshots = [("B", d("2025-01-05"), 5), ("A", d("2025-01-31"), 1), ("A", d("2025-02-02"), 2)]
    assert lettres.carried_forward(snapshots, [d("2024-12-31"), d("2025-01-31"), d("2025-02-28")]) == [
        (d("2025-01-31"), "A", 1), (d("2025-01-31"), "B", 5), (d("2025-02-28"), "A", 2), (d("2025-02-28"), "B", 5)
    ]  # fmt: skip


def test_page_data_is_read_once_per_revision_and_sees_a_write(database, network):
    period = Period.year(2025)
    with database.session() as session:
        first = lettres.overview(session, period)
        charts = lettres.history(session, period, d("2022-01-01"), [network["a"]])
    with database.session() as session:
        assert lettres.overview(session, period) is first
        assert lettres.history(session, period, d("2022-01-01"), [network["a"]]) is charts
    assert (first.reach.value, first.issues_sent.value, len(first.issues)) == (170, 4, 4)
    assert charts.names == ["Lettre A", "Lettre B"] and set(charts.subscribers["newsletter"]) == {"Lettre A"}
    with database.transaction() as session:
        lettres.record_snapshot(
            session, network["actor"], newsletter_id=network["a"], date="2025-12-01", count=130, today=TODAY
        )
    with database.session() as session:
        assert lettres.overview(session, period).reach.value == 180
        assert (
            lettres.history(session, period, d("2022-01-01"), [network["a"]]).subscribers.iloc[-1]["subscribers"] == 130
        )
