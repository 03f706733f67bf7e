"""The sample county's departmental lists for early 2019 (防止返贫动态监测), each in its department's own layout.

Built from the sample county (povmon.sample.build) with a random stream of its own (``f"{seed}-monitor"``), so
every existing sample figure and file stays byte-identical. The people on the lists are chosen from households
that are ordinary (一般农户) or exited (已脱贫) on 31 March 2019 — the ones screening looks at — one household per
list row that should become a lead, plus rows that should not (under the threshold, a grade 4 certificate, a pupil
on leave), people not on the register and one mistyped ID number. ``EXPECTED`` says what an import and a screening
as of ``SCREEN_DATE`` must find; tests/test_sample_monitor.py checks it.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from importlib import resources
from pathlib import Path

from openpyxl import Workbook

from povmon import files
from povmon.rules import idcard
from povmon.sample import SEED, County, Home, Person, _save_stable, build

SCREEN_DATE = dt.date(2019, 3, 31)

FILE_MEDICAL = "06-医保-2019年一季度住院结算.xlsx"
FILE_CIVIL = "07-民政-2019年3月救助对象.xlsx"
FILE_DISABLED = "08-残联-2019年一季度新办残疾证.xlsx"
FILE_SCHOOL = "09-教育-2019年春季学期失学辍学.xlsx"
FILE_DISASTER = "10-应急-2018年度灾情.xlsx"
FILE_LABOUR = "11-人社-2019年一季度失业登记.xlsx"
FILE_HOUSING = "12-住建-2019年农房安全鉴定.xlsx"
FILE_WATER = "13-水利-2019年饮水安全排查.xlsx"
DEPT_FILES: dict[str, str] = {FILE_MEDICAL: "医保", FILE_CIVIL: "民政", FILE_DISABLED: "残联", FILE_SCHOOL: "教育",
                              FILE_DISASTER: "应急", FILE_LABOUR: "人社", FILE_HOUSING: "住建", FILE_WATER: "水利"}

# what importing each list must count (rows) and what screening as of SCREEN_DATE must find from the lists (leads)
EXPECTED_ROWS = {
    "医保": {"matched": 23, "not_in_register": 3, "rejected": 1, "unchanged": 0},
    "民政": {"matched": 6, "not_in_register": 1, "rejected": 0, "unchanged": 0},
    "残联": {"matched": 4, "not_in_register": 0, "rejected": 0, "unchanged": 0},
    "教育": {"matched": 4, "not_in_register": 1, "rejected": 0, "unchanged": 0},
    "应急": {"matched": 4, "not_in_register": 0, "rejected": 0, "unchanged": 0},
    "人社": {"matched": 3, "not_in_register": 1, "rejected": 0, "unchanged": 0},
    "住建": {"matched": 3, "not_in_register": 0, "rejected": 0, "unchanged": 0},
    "水利": {"matched": 2, "not_in_register": 0, "rejected": 0, "unchanged": 0},
}
EXPECTED_LEADS = {"medical_oop": 8, "assistance_recipient": 6, "disability": 3, "dropout": 3, "disaster": 3,
                  "unemployment": 3, "housing_unsafe": 2, "water_unsafe": 2}


def _eligible(county: County) -> list[Home]:
    return [h for h in county.homes if h.kind in ("ordinary", "exited") and h.present(SCREEN_DATE)]


class _Lists:
    def __init__(self, county: County, seed: int):
        self.rng = random.Random(f"{seed}-monitor")
        self.taken = {p.id_number for h in county.homes for p in h.people}
        homes = _eligible(county)
        self.rng.shuffle(homes)
        self.homes = homes
        self.used: dict[str, set[str]] = {}

    def pick(self, dept: str, want=lambda home, person: True, kind: str | None = None) -> tuple[Home, Person]:
        """A person present on SCREEN_DATE of a household not yet on this department's list."""
        used = self.used.setdefault(dept, set())
        for home in self.homes:
            if home.code in used or (kind is not None and home.kind != kind):
                continue
            for person in home.present(SCREEN_DATE):
                if want(home, person):
                    used.add(home.code)
                    return home, person
        raise ValueError(f"no one left for {dept}")  # pragma: no cover - the county is large enough

    def stranger(self, born: dt.date, sex: str = "M") -> tuple[str, str]:
        """Someone not on the register (an ordinary household not registered yet, or a mistake of the list)."""
        while True:
            number = idcard.make("141122", born, self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0))
            if number not in self.taken:
                self.taken.add(number)
                return "外来" + self.rng.choice("甲乙丙丁戊"), number

    def day(self, first: dt.date, last: dt.date) -> dt.date:
        return first + dt.timedelta(days=self.rng.randrange((last - first).days + 1))


def _age_between(person: Person, young: int, old: int) -> bool:
    return idcard.age_on(person.id_number, SCREEN_DATE) in range(young, old + 1)


def build_lists(county: County, seed: int = SEED) -> dict[str, tuple[list[str], list[str], list[list]]]:
    """file name → (title rows, header, data rows), in each department's layout."""
    g = _Lists(county, seed)
    q1 = (dt.date(2019, 1, 1), dt.date(2019, 3, 31))
    out: dict[str, tuple[list[str], list[str], list[list]]] = {}

    # 医保: 5 former poor over 10,000 in two stays, 3 ordinary over 26,000, 4 ordinary under it, 3 strangers, 1 typo
    rows: list[list] = []

    def stay(person: Person, oop: int, when: dt.date) -> None:
        fund = oop * 2
        rows.append([len(rows) + 1, person.name, person.id_number, "城乡居民", when, Decimal(oop + fund),
                     Decimal(fund), Decimal(oop)])

    for _ in range(5):
        _, p = g.pick("医保", kind="exited")
        stay(p, 6000 + g.rng.randrange(0, 20) * 100, g.day(dt.date(2018, 6, 1), dt.date(2018, 12, 31)))
        stay(p, 5000 + g.rng.randrange(0, 20) * 100, g.day(*q1))
    for _ in range(3):
        _, p = g.pick("医保", kind="ordinary")
        for part in (12000, 9000, 8000):
            stay(p, part + g.rng.randrange(0, 10) * 100, g.day(dt.date(2018, 5, 1), q1[1]))
    for _ in range(4):
        _, p = g.pick("医保", kind="ordinary")
        stay(p, 15000 + g.rng.randrange(0, 50) * 100, g.day(*q1))
    for _ in range(3):
        name, number = g.stranger(dt.date(1960 + g.rng.randrange(30), 1 + g.rng.randrange(12), 1 + g.rng.randrange(28)))
        rows.append([len(rows) + 1, name, number, "城乡居民", g.day(*q1), Decimal(3000), Decimal(2400), Decimal(600)])
    _, p = g.pick("医保", kind="ordinary")
    typo = p.id_number[:17] + ("0" if p.id_number[17] != "0" else "1")  # a wrong check digit
    rows.append([len(rows) + 1, p.name, typo, "城乡居民", g.day(*q1), Decimal(2000), Decimal(1500), Decimal(500)])
    out[FILE_MEDICAL] = (["交城县医疗保障局", "2019年一季度城乡居民住院费用结算明细（含2018年下半年）"],
                         ["序号", "患者姓名", "公民身份号码", "险种", "出院日期", "医疗总费用", "基金支付", "个人负担"],
                         rows)

    # 民政: 6 ordinary households on 低保 or 临时救助, one person not on the register
    rows = []
    for i in range(6):
        _, p = g.pick("民政", kind="ordinary")
        programme = "农村低保" if i % 2 == 0 else "临时救助"
        rows.append([i + 1, p.name, p.id_number, programme, "A类" if i % 3 == 0 else "B类",
                     g.day(dt.date(2018, 10, 1), q1[1]), Decimal(300 + 50 * i)])
    name, number = g.stranger(dt.date(1950, 5, 5), "F")
    rows.append([7, name, number, "特困供养", "", g.day(*q1), Decimal(600)])
    header = ["序号", "救助对象姓名", "身份证号码", "救助项目", "保障类别", "享受起始日期", "月救助金额"]
    out[FILE_CIVIL] = (["交城县民政局 2019年3月城乡社会救助对象名册"], header, rows)

    # 残联: grade 1 and 2 certificates become leads, grade 4 does not
    rows = []
    for i, grade in enumerate(("二级", "一级", "二级", "四级")):
        _, p = g.pick("残联")
        rows.append([i + 1, p.name, p.id_number, ("肢体", "视力", "精神", "听力")[i], grade, g.day(*q1)])
    out[FILE_DISABLED] = (["交城县残疾人联合会", "2019年一季度新办（换领）残疾人证名单"],
                          ["序号", "姓名", "身份证号", "残疾类别", "残疾等级", "发证日期"], rows)

    # 教育: three pupils of 6–15 out of school, one on leave (休学), one not on the register
    rows = []
    for i, status in enumerate(("辍学", "辍学", "失学", "休学")):
        _, p = g.pick("教育", want=lambda h, person: _age_between(person, 7, 14))
        rows.append([i + 1, p.name, p.id_number, "交城县第二中学" if i % 2 else "西营镇中心小学",
                     "七年级" if i % 2 else "五年级", status, g.day(*q1)])
    name, number = g.stranger(dt.date(2008, 9, 9))
    rows.append([5, name, number, "会立乡中心小学", "四年级", "辍学", g.day(*q1)])
    out[FILE_SCHOOL] = (["交城县教育科技局 2019年春季学期义务教育阶段失学辍学学生名单"],
                        ["序号", "学生姓名", "学生身份证号", "就读学校", "年级", "学籍状态", "变动日期"], rows)

    # 应急: losses at or over 10,000 (ordinary) and 5,000 (former poor) become leads; 3,000 does not
    rows = []
    for i, (kind, loss) in enumerate((("ordinary", 12000), ("ordinary", 15000), ("exited", 6000), ("ordinary", 3000))):
        _, p = g.pick("应急", want=lambda h, person: person.relation in ("户主", "head"), kind=kind)
        rows.append([i + 1, p.name, p.id_number, ("暴雨洪涝", "冰雹", "暴雨洪涝", "风雹")[i],
                     g.day(dt.date(2018, 6, 1), dt.date(2018, 9, 30)), Decimal(loss)])
    out[FILE_DISASTER] = (["交城县应急管理局", "2018年度自然灾害农户损失核定表"],
                          ["序号", "户主姓名", "身份证号", "灾害类型", "受灾日期", "直接经济损失（元）"], rows)

    # 人社: three job losses of people of working age, one stranger
    rows = []
    for i in range(3):
        _, p = g.pick("人社", want=lambda h, person: _age_between(person, 20, 55))
        rows.append([i + 1, p.name, p.id_number, "失业登记" if i else "返乡失业", g.day(*q1)])
    name, number = g.stranger(dt.date(1985, 3, 3))
    rows.append([4, name, number, "失业登记", g.day(*q1)])
    out[FILE_LABOUR] = (["交城县人力资源和社会保障局 2019年一季度农村劳动力失业登记"],
                        ["序号", "姓名", "证件号码", "变动类型", "登记日期"], rows)

    # 住建: C and D are unsafe, B is not
    rows = []
    for i, grade in enumerate(("C级", "D级", "B级")):
        _, p = g.pick("住建", want=lambda h, person: person.relation in ("户主", "head"))
        rows.append([i + 1, p.name, p.id_number, grade, g.day(*q1)])
    out[FILE_HOUSING] = (["交城县住房和城乡建设局 农村住房安全鉴定结果"],
                         ["序号", "户主姓名", "户主身份证号", "鉴定等级", "鉴定日期"], rows)

    # 水利: two households without safe water
    rows = []
    for i, problem in enumerate(("水量不足", "水质不达标")):
        _, p = g.pick("水利", want=lambda h, person: person.relation in ("户主", "head"))
        rows.append([i + 1, p.name, p.id_number, problem, g.day(*q1)])
    out[FILE_WATER] = (["交城县水利局 2019年农村饮水安全排查问题清单"],
                       ["序号", "户主姓名", "身份证号", "存在问题", "排查日期"], rows)
    return out


def write(directory: Path, seed: int = SEED, county: County | None = None) -> list[Path]:
    """Write the departmental lists into a folder (the same seed gives the same bytes); returns their paths."""
    county = county or build(seed)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (titles, header, rows) in build_lists(county, seed).items():
        wb = Workbook()
        ws = wb.active
        ws.title = "Sheet1"
        for text in titles:
            ws.append([text])
        ws.append([])
        ws.append(header)
        for row in rows:
            ws.append(row)
        for cells in ws.iter_rows(min_row=len(titles) + 3):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                elif isinstance(cell.value, str) and len(cell.value) == 18:
                    cell.number_format = "@"
        path = directory / name
        with files.atomic(path, private=False) as temporary:  # generated people, no one's real ID
            _save_stable(wb, temporary)
        paths.append(path)
    return paths


def dept_files() -> list[tuple[Path, str]]:
    """The sample lists with their departments: inside the installed package, or sample_data/ of a checkout."""
    packaged = resources.files("povmon") / "sample_data"
    folder = Path(str(packaged)) if packaged.is_dir() else Path(__file__).resolve().parents[2] / "sample_data"
    return [(folder / name, dept) for name, dept in DEPT_FILES.items()]
