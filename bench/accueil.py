"""The Accueil's key figures on the demo network: median server time of the whole computation."""

from bench.common import median_ms, temporary_database
from db import clock
from db.demo import demo_year, seed_demo
from db.indicateurs import key_figures
from db.periods import Period


def run() -> dict:
    database = temporary_database()
    today = clock.today()
    with database.transaction() as session:
        seed_demo(session, today)

    def compute():
        with database.session() as session:
            return key_figures(session, Period.year(demo_year(today)))

    return {"database": database.engine.dialect.name, "key_figures_median_ms": median_ms(compute)}
