"""The sample county's departmental lists (issue 12): known match counts on import and known leads by rule.

The lists come from their own random stream, so the seed's sample files are untouched; what each list and the
screening as of 31 March 2019 must give is declared by the generator (povmon.sample_monitor.EXPECTED_*), by
construction; the leads the register alone gives (incomes of 2018 under the monitoring line) are golden figures.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy.engine import make_url

from povmon import sample_monitor
from povmon.db import make_engine, session_factory, upgrade
from povmon.demo import sample_files
from povmon.ingest import ImportOptions, import_files
from povmon.ingest.dept import import_dept
from povmon.sample import REGISTER_DATE
from povmon.services import monitoring

from .conftest import _is_pg, _recreate_pg_database

DAY = sample_monitor.SCREEN_DATE
REGISTER_LEADS = {"income_below_line": 426}  # golden: 2018 per-capita income under 1.5 × 2,995 yuan


@pytest.fixture(scope="module")
def county(database_url, tmp_path_factory):
    if _is_pg():
        url = _recreate_pg_database(database_url, f"{make_url(database_url).database}_mgolden")
    else:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("mgolden") / "county.db")
    engine = make_engine(url, create=True) if url.startswith("sqlite") else make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        result = import_files(session, sample_files(), ImportOptions(user="golden", as_of=REGISTER_DATE))
        assert result.errors == []
    yield factory
    engine.dispose()


def test_lists_import_and_screen_to_known_leads(county):
    with county() as session, session.begin():
        counts = {dept: import_dept(session, path, dept, as_of=DAY, user="golden").rows
                  for path, dept in sample_monitor.dept_files()}
    assert counts == sample_monitor.EXPECTED_ROWS
    with county() as session, session.begin():
        again = {dept: import_dept(session, path, dept, as_of=DAY, user="golden")
                 for path, dept in sample_monitor.dept_files()}
    assert all(r.batch is None and r.rows["unchanged"] == sum(sample_monitor.EXPECTED_ROWS[d][k]
                                                               for k in ("matched", "not_in_register"))
               for d, r in again.items())
    with county() as session, session.begin():
        screened = monitoring.screen(session, DAY, user="golden")
    by_rule = Counter(lead.rule for lead in screened.leads if lead.new)
    assert by_rule == Counter(sample_monitor.EXPECTED_LEADS) + Counter(REGISTER_LEADS)
    with county() as session, session.begin():
        rerun = monitoring.screen(session, DAY, user="golden").counts
    assert rerun == {"new": 0, "already_open": sum(by_rule.values())}


def test_lists_are_reproducible(tmp_path):
    paths = sample_monitor.write(tmp_path)
    for path, _ in sample_monitor.dept_files():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), f"{path.name} differs from sample_data"
    assert len(paths) == len(sample_monitor.DEPT_FILES)
