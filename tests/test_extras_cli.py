"""povmon project / asset / job / training / party through the CLI, and the projects workbook's import."""

import datetime as dt
import json
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import func, select
from typer.testing import CliRunner

from povmon.cli import app
from povmon.ingest import extras as ingest_extras
from povmon.models import AuditLog, Benefit, Employment, ImportBatch, Project, ProjectDividend

from . import factories as f

runner = CliRunner()


def run(db, *args):
    return runner.invoke(app, [*(str(a) for a in args), "--db", db], env={"POVMON_USER": "clerk1"})


def _register(cli_session):
    village = f.area_tree(cli_session, "西营镇", "东营村")
    poor = f.household(cli_session, "141122102001Y001", village=village)
    f.event(cli_session, poor, "identified", dt.date(2015, 5, 1))
    other = f.household(cli_session, "141122102001Y002", village=village)
    cli_session.commit()
    return poor, other


def test_hand_entry_commands(cli_db, cli_session):
    poor, other = _register(cli_session)
    head = poor.members[0].id_number
    added = run(cli_db, "project", "add", "光伏电站", "--area", "西营镇/东营村", "--kind", "资产收益", "--investment",
                "1,200,000", "--dividend", "1000", "--start", "2017-05-01", "--completed", "2017-10-01", "--json")
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["stored"][0]["kind"] == "asset_income"
    assert run(cli_db, "project", "fund", "光伏电站", "--source", "整合资金", "--amount", "1200000").exit_code == 0
    assert run(cli_db, "project", "beneficiary", "光伏电站", poor.code, other.code).exit_code == 0
    unpaid = run(cli_db, "project", "unpaid", "--year", "2018", "--json")
    assert sorted(json.loads(unpaid.stdout)["projects"][0]["unpaid"]) == sorted([poor.code, other.code])
    paid = run(cli_db, "project", "dividend", "光伏电站", poor.code, "--year", "2018", "--date", "2019-01-15",
               "--json")
    assert paid.exit_code == 0, paid.output
    tables = [r["table"] for r in json.loads(paid.stdout)["stored"]]
    assert tables == ["policy", "benefit", "income", "project_dividend"]
    again = run(cli_db, "project", "dividend", "光伏电站", poor.code, "--year", "2018", "--date", "2019-01-15")
    assert again.exit_code == 1 and "已发放" in again.stderr and "Traceback" not in again.output

    assert run(cli_db, "asset", "add", "东营村光伏电站", "--project", "光伏电站", "--value", "1200000", "--owner",
               "村集体", "--custodian", "东营村委会").exit_code == 0
    damaged = run(cli_db, "asset", "status", "东营村光伏电站", "损毁", "--date", "2019-03-01", "--note", "冰雹")
    assert damaged.exit_code == 0, damaged.output
    listed = json.loads(run(cli_db, "asset", "list", "--attention", "--as-of", "2019-04-01", "--json").stdout)
    assert [a["status_label"] for a in listed["assets"]] == ["损毁"]
    bad = run(cli_db, "asset", "status", "东营村光伏电站", "坏了", "--date", "2019-04-01")
    assert bad.exit_code == 1 and "可填" in bad.stderr

    assert run(cli_db, "job", "enterprise", "山西文源包装", "--industry", "工业", "--area", "西营镇").exit_code == 0
    hired = run(cli_db, "job", "add", head, "--enterprise", "山西文源包装", "--from", "2018-03-01", "--wage", "1800")
    assert hired.exit_code == 0, hired.output
    jobs = json.loads(run(cli_db, "job", "list", "--as-of", "2019-01-31", "--json").stdout)["jobs"]
    assert len(jobs) == 1 and "*" in jobs[0]["id_number"] and jobs[0]["monthly_wage"] == "1800.00"
    shown = json.loads(run(cli_db, "job", "list", "--as-of", "2019-01-31", "--show-ids", "--json").stdout)["jobs"]
    assert shown[0]["id_number"] == head
    cli_session.rollback()
    assert cli_session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.action == "export")) == 1
    assert run(cli_db, "job", "end", head, "--enterprise", "山西文源包装", "--date", "2018-12-01").exit_code == 0

    assert run(cli_db, "training", "add", "电商运营", "--date", "2018-05-10", "--area", "西营镇").exit_code == 0
    joined = run(cli_db, "training", "join", "电商运营", head, poor.members[1].id_number, "--date", "2018.5.10")
    assert joined.exit_code == 0, joined.output
    trained = json.loads(run(cli_db, "training", "list", "--from", "2018-01-01", "--to", "2018-12-31",
                             "--json").stdout)
    assert (trained["trained_households"], trained["trained_people"]) == (1, 2)

    party = run(cli_db, "party", "set", head, "--status", "党员", "--date", "2001-07-01", "--json")
    assert party.exit_code == 0 and "*" in json.loads(party.stdout)["stored"][0]["id_number"]
    count = json.loads(run(cli_db, "party", "count", "--area", "东营村", "--as-of", "2019-01-31", "--json").stdout)
    assert count["party_members"] == 1
    missing = run(cli_db, "job", "add", head)
    assert missing.exit_code == 1 and "--enterprise" in missing.stderr and "--wage" in missing.stderr


def _book(tmp_path, rows):
    path = tmp_path / "项目.xlsx"
    ingest_extras.write_template(path, rows)
    return path


def test_import_all_or_nothing_with_sheet_row_and_column(cli_db, cli_session, tmp_path):
    poor, _ = _register(cli_session)
    area = {"乡镇": "西营镇", "行政村": "东营村"}
    rows = {
        "项目": [{"项目名称": "饮水工程", **area, "项目类别": "基础设施", "总投资（元）": Decimal("500000"),
                "完工日期": dt.date(2018, 6, 28)}],
        "项目受益户": [{"项目名称": "饮水工程", **area, "户编号": poor.code},
                   {"项目名称": "饮水工程", **area, "户编号": "141122102001Y999"}],
        "企业": [{"企业名称": "西营粉条加工厂", "行业": "加工厂"}],
    }
    bad = run(cli_db, "project", "import", _book(tmp_path, rows), "--json")
    assert bad.exit_code == 1
    data = json.loads(bad.stdout)
    assert data["batch"] is None and data["counts"]["projects"] == {"created": 0, "rejected": 1}
    by_sheet = {(e["sheet"], e["row"]): e for e in data["errors"]}
    assert by_sheet[("项目受益户", 3)]["code"] == "unknown_reference"
    assert by_sheet[("企业", 2)]["column"] == "行业" and by_sheet[("企业", 2)]["code"] == "bad_value"
    assert cli_session.scalar(select(func.count()).select_from(Project)) == 0  # nothing written

    rows["项目受益户"].pop()
    rows["企业"][0]["行业"] = "农产品加工"
    path = _book(tmp_path, rows)
    dry = json.loads(run(cli_db, "project", "import", path, "--dry-run", "--json").stdout)
    assert dry["dry_run"] and dry["batch"] is None and dry["counts"]["beneficiaries"]["created"] == 1
    assert cli_session.scalar(select(func.count()).select_from(Project)) == 0
    done = run(cli_db, "project", "import", path)
    assert done.exit_code == 0, done.output
    cli_session.rollback()  # a fresh snapshot of what the command committed
    project = cli_session.scalar(select(Project))
    assert project.batch_id is not None and project.source_sheet == "项目" and project.source_row == 2
    batch = cli_session.get(ImportBatch, project.batch_id)
    assert batch.counts["enterprises"]["created"] == 1
    assert cli_session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.batch_id == batch.id)) >= 3


def test_import_reads_a_county_sheet_with_its_own_headers(cli_db, cli_session, tmp_path):
    poor, _ = _register(cli_session)
    path = _book(tmp_path, {"企业": [{"企业名称": "山西文源包装", "行业": "工业"}]})
    wb = load_workbook(path)
    ws = wb.create_sheet("务工花名册")
    ws.append(["西营镇贫困劳动力务工情况表"])
    ws.append(["序号", "证件号码", "姓名", "务工单位", "入职日期", "月收入(元)"])
    ws.append([1, poor.members[0].id_number, poor.members[0].name, "山西文源包装", "2018年3月1日", "1,500元"])
    ws.append([2, poor.members[1].id_number, "别人", "山西文源包装", "2018.3.1", "1500"])
    wb.save(path)
    result = json.loads(run(cli_db, "project", "import", path, "--json").stdout)
    assert [(e["sheet"], e["row"], e["column"]) for e in result["errors"]] == [("务工花名册", 4, "姓名")]
    ws.delete_rows(4)
    wb.save(path)
    ok = run(cli_db, "project", "import", path)
    assert ok.exit_code == 0, ok.output
    cli_session.rollback()
    job = cli_session.scalar(select(Employment))
    assert job.monthly_wage == Decimal("1500.00") and job.start_on == dt.date(2018, 3, 1)


def test_template_has_every_sheet_with_dropdowns(tmp_path):
    out = tmp_path / "模板.xlsx"
    assert runner.invoke(app, ["project", "template", str(out)]).exit_code == 0
    again = runner.invoke(app, ["project", "template", str(out)])
    assert again.exit_code == 1 and "--force" in again.stderr
    wb = load_workbook(out)
    assert set(ingest_extras.BY_NAME) <= set(wb.sheetnames)
    assert wb["项目"].data_validations.dataValidation  # 项目类别 has a dropdown
    assert wb["项目"].print_title_rows == "$1:$1"


def test_a_dividend_counts_once_in_the_income_ledger(cli_db, cli_session):
    poor, _ = _register(cli_session)
    added = run(cli_db, "project", "add", "大棚", "--area", "东营村", "--kind", "资产收益", "--investment", "1")
    assert added.exit_code == 0, added.output
    assert run(cli_db, "project", "beneficiary", "大棚", poor.code).exit_code == 0
    paid = run(cli_db, "project", "dividend", "大棚", poor.code, "--year", "2018", "--date", "2019-01-15", "--amount",
               "800", "--no-income")
    assert paid.exit_code == 0, paid.output
    cli_session.rollback()
    dividend = cli_session.scalar(select(ProjectDividend))
    assert dividend.income_id is None and cli_session.get(Benefit, dividend.benefit_id).amount == Decimal("800.00")


def test_report_workbook_is_a4_names_its_area_and_has_signature_lines(cli_db, cli_session, tmp_path):
    poor, _ = _register(cli_session)
    assert run(cli_db, "job", "enterprise", "泰峰包装", "--industry", "工业").exit_code == 0
    assert run(cli_db, "job", "add", poor.members[0].id_number, "--enterprise", "泰峰包装", "--from", "2018-01-02",
               "--wage", "1200").exit_code == 0
    out = tmp_path / "台账.xlsx"
    made = run(cli_db, "project", "report", "--area", "西营镇", "--as-of", "2019-01-31", "-o", out, "--show-ids")
    assert made.exit_code == 0, made.output
    wb = load_workbook(out)
    assert {"汇总", "项目台账", "资产台账", "闲置损毁资产", "务工人员"} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.print_title_rows == "$1:$3"
        assert "西营镇" in ws.oddHeader.center.text and ws["A1"].value.startswith("西营镇")
        texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
        assert {"制表人：", "审核人：", "负责人：", "单位（盖章）："} <= texts
    jobs = wb["务工人员"]
    assert jobs["C4"].value == poor.members[0].id_number  # --show-ids
    cli_session.rollback()
    exports = cli_session.scalars(select(AuditLog).where(AuditLog.action == "export")).all()
    assert [e.note for e in exports] == [f"project report --show-ids {poor.code}"]
    masked = run(cli_db, "project", "report", "--area", "西营镇", "--as-of", "2019-01-31", "-o", out, "--force")
    assert masked.exit_code == 0 and "*" in load_workbook(out)["务工人员"]["C4"].value
