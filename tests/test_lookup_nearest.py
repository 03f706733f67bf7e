"""A name looked up to read that finds nothing suggests the nearest names, and never advises creating an area
(issue 10 item 10): ledger --village/--township/--cadre/CODE, household list --village/--area, report --area,
cadre list --village, household show CODE — all through services.lookup."""

import datetime as dt

import pytest
from typer.testing import CliRunner

from povmon.cli import app
from povmon.errors import NotFound
from povmon.reports import ledger, monthly
from povmon.services import cadres, household_entry
from povmon.services import households as hh

from . import factories as f

DAY = dt.date(2019, 1, 31)
CREATE_ADVICE = ("area add", "--create-areas", "先建立")


def _register(session):
    east = f.area_tree(session, "西营镇", "东营村")
    west = f.area_tree(session, "西营镇", "西营村")
    f.household(session, "1411221020010006", village=east)
    f.household(session, "1411221020020001", village=west)
    f.cadre(session, "王晓明")
    return east, west


def _message(call) -> str:
    with pytest.raises(NotFound) as exc:
        call()
    message = str(exc.value)
    assert not any(word in message for word in CREATE_ADVICE), message
    return message


def test_an_unknown_village_or_township_suggests_the_nearest(session):
    _register(session)
    message = _message(lambda: ledger.select_households(session, DAY, village="西村"))
    assert message.startswith("没有名为 西村 的村（是否为 西营村") and "东营村" not in message
    message = _message(lambda: ledger.select_households(session, DAY, village="东营"))
    assert "是否为 东营村" in message
    assert "是否为 西营镇" in _message(lambda: ledger.select_households(session, DAY, township="西营"))
    assert "是否为 西营村" in _message(lambda: household_entry.search(session, as_of=DAY, area="西村"))
    assert "是否为 东营村" in _message(lambda: monthly.build(session, "2019-01", "东营"))
    assert "是否为 东营村" in _message(lambda: cadres.listing(session, DAY, village="东营"))


def test_an_unknown_cadre_or_household_code_suggests_the_nearest(session):
    _register(session)
    assert "是否为 王晓明" in _message(lambda: ledger.select_households(session, DAY, cadre="王小明"))
    message = _message(lambda: hh.by_code(session, "1411221020010060"))
    assert message.startswith("没有户编号为 1411221020010060 的户；请核对户编号（相近的户编号：1411221020010006")
    assert "相近的户编号：1411221020010006" in _message(
        lambda: ledger.select_households(session, DAY, codes=["1411221020010060"]))


def test_an_unknown_id_number_suggests_nobody(session):
    _register(session)
    stranger = f.new_id(dt.date(1975, 5, 6))
    message = _message(lambda: ledger.select_households(session, DAY, cadre=stranger))
    assert "是否为" not in message  # someone else's ID number is never shown as a suggestion


def test_the_commands_say_it_in_one_sentence(cli_db, cli_session):
    _register(cli_session)
    cli_session.commit()
    runner = CliRunner()
    for args, expected in ((["household", "list", "--village", "西村"], "是否为 西营村"),
                           (["household", "show", "1411221020010060"], "相近的户编号：1411221020010006"),
                           (["ledger", "--village", "东营"], "是否为 东营村"),
                           (["report", "monthly", "--month", "2019-01", "--area", "东营"], "是否为 东营村")):
        result = runner.invoke(app, [*args, "--db", cli_db])
        assert result.exit_code == 1 and expected in result.stderr, (args, result.output)
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
        assert not any(word in result.stderr for word in CREATE_ADVICE), result.stderr
