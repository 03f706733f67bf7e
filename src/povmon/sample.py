"""The sample county 交城县, built from the seed's figures by a deterministic, seeded generator.

The seed article (shared/seed/jiaocheng-article.txt) and the table at the end of docs/DOMAIN.md are the ground truth:

- 西社镇 野则河村: 157 households / 462 people, 42 registered households / 96 people, 170 亩 arable land, 28 households
  planting 白皮松 on 269.3 亩 (registered households 17 亩, 36,600 plants), 46 small loans of 50,000 yuan paying
  3,000 yuan a year each;
- 会立乡 岔口村: 207 / 616, 17 registered households / 28 people, every one exited by 2017;
- 西营镇: 7 villages, 29,287 people, 21,042 亩; 1,783 households / 4,731 people exited and an incidence of 0.28 %
  (82 poor people) in January 2019; 459 guaranteed (兜底) households paid 1,000 yuan each from the asset-income
  projects; 355 households / 412 people trained; 东营村's water works serving 229 households;
- 交城县: 2,434 cadres, every one of them paired; 73 first secretaries stationed in 73 poor villages.

Every figure is "as of 31 January 2019" (the month the article describes). The register itself runs on to 2022:
later exits, monitoring, deaths and births are dated after January 2019, so the monthly summary of 2019-01 shows
the as-of mechanism at work. Names, ID numbers, phones and amounts are generated — no real person's data.

The data is produced as rows keyed by the template's canonical headers; ``write`` turns them into the sample
workbooks: two in the project's import template and one flat roster (花名册) laid out the way villages send them.
The same seed always gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from povmon import files
from povmon.rules import idcard
from povmon.rules.vocab import ATTRIBUTE, CAUSE, EDUCATION, HEALTH, LABOUR, RELATION, RISK, SCHOOL_STATUS, WORK

SEED = 20190131
AS_OF = dt.date(2019, 1, 31)  # the month of the seed article
REGISTER_DATE = dt.date(2022, 12, 31)  # the files describe the register as kept until then
COUNTY = ("交城县", "141122")
OLD_AREA, NEW_AREA = "142323", "141122"  # 交城县's code until 2003, and since (docs/DOMAIN.md)

FILE_REGISTER = "01-交城县-户籍与识别.xlsx"
FILE_ROSTER = "02-会立乡-花名册.xlsx"
FILE_ASSISTANCE = "03-交城县-帮扶与政策.xlsx"
FILES = (FILE_REGISTER, FILE_ROSTER, FILE_ASSISTANCE)  # the register's files, imported by povmon import
FILE_ATTENDANCE = "04-交城县-驻村考勤-2019年.xlsx"  # the work teams' 2019 attendance (povmon.sample_teams)
ALL_FILES = (*FILES, FILE_ATTENDANCE)

# township, 3-digit code, villages (the seed's named villages first; the rest are generated)
TOWNSHIPS: tuple[tuple[str, str, int, tuple[str, ...]], ...] = (
    ("天宁镇", "100", 12, ()),
    ("夏家营镇", "101", 12, ()),
    ("西营镇", "102", 7, ("东营村", "西营村", "大陵庄村", "寨子村", "石侯村", "王明寨村", "辛南村")),
    ("水峪贯镇", "103", 10, ()),
    ("会立乡", "104", 10, ("岔口村",)),
    ("西社镇", "105", 12, ("野则河村",)),
    ("庞泉沟镇", "106", 8, ()),
    ("洪相乡", "200", 10, ()),
    ("岭底乡", "201", 9, ()),
    ("东坡底乡", "202", 8, ()),
)
ROSTER_TOWNSHIP = "会立乡"

# (village, households, people, registered households, registered people) — the seed's figures
YEZEHE = ("野则河村", 157, 462, 42, 96)
CHAKOU = ("岔口村", 207, 616, 17, 28)
XIYING_PEOPLE = 29_287
XIYING_LAND = Decimal("21042")
XIYING_EXITED = (1_783, 4_731)
XIYING_POOR_PEOPLE = 82  # 0.28 % of 29,287
XIYING_GUARANTEED = 459
XIYING_TRAINED = (355, 412)
DONGYING_WATER = 229
YEZEHE_LAND = Decimal("170")
YEZEHE_PINE = (28, Decimal("269.3"), Decimal("17"), 36_600)
YEZEHE_LOANS = 46
CADRES = 2_434
FIRST_SECRETARIES = 73
ROLES = ("帮扶责任人", "工作队员", "工作队长")

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴"
    "夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文牛温武霍"
)
MALE_NAMES = ("建国", "志强", "伟", "军", "勇", "磊", "强", "平", "刚", "杰", "涛", "明", "超", "亮", "鹏", "海", "斌",
              "俊", "峰", "林", "国平", "建军", "晓东", "文斌", "红军", "永生", "二虎", "小平", "福生", "满仓", "拴柱",
              "国庆", "建华", "宏伟", "志刚", "浩", "宇", "子豪", "晨阳", "俊杰")
FEMALE_NAMES = ("秀英", "桂英", "玉兰", "秀兰", "桂兰", "丽", "娜", "敏", "静", "燕", "艳", "芳", "霞", "红梅", "丽娟",
                "美玲", "翠花", "春花", "淑珍", "金凤", "改梅", "爱琴", "月娥", "梦瑶", "欣怡", "雨萱", "佳琪", "子涵")
VILLAGE_HEADS = ("东", "西", "南", "北", "上", "下", "前", "后", "大", "小", "王家", "李家", "张家", "刘家", "郭家",
                 "石", "沙", "马", "杨家", "武家", "米家", "田家", "高家", "庞家", "阳", "柳", "杏", "桃", "槐", "梁")
VILLAGE_TAILS = ("庄", "沟", "峪", "坪", "寨", "湾", "头", "坡", "口", "塔", "窑", "堡", "洼", "岭", "渠", "峁")
UNITS = ("交城县国土资源局", "交城县财政局", "交城县教育科技局", "交城县卫生健康局", "交城县农业农村局", "交城县水利局",
         "交城县交通运输局", "交城县住房和城乡建设局", "交城县人力资源和社会保障局", "交城县民政局", "交城县林业局",
         "交城县发展和改革局", "交城县统计局", "交城县审计局", "交城县市场监督管理局", "交城县公安局", "交城县人民法院",
         "交城县人民检察院", "交城县委组织部", "交城县委宣传部", "交城县委统战部", "交城县纪委监委", "交城县总工会",
         "交城县团县委", "交城县妇联", "交城县供销社", "交城县医疗保障局", "交城县应急管理局", "交城县文化和旅游局",
         "交城县商务局", "交城县扶贫开发中心", "交城县农村信用合作联社", "国网交城县供电公司", "中国移动交城分公司",
         "交城县人民医院", "交城县中医院", "交城中学", "交城县职业中学", "交城县税务局", "交城县自然资源局")
POSTS = ("科员", "副科长", "科长", "副局长", "主任科员", "干事", "副主任", "主任", "工程师", "教师", "医生")
VISIT_DONE = ("入户走访，了解家庭收入和生产情况", "宣讲扶贫政策，核对明白卡信息", "帮助联系务工岗位",
              "查看住房和饮水安全",
              "了解子女上学情况，落实教育资助", "协助办理医保报销手续", "指导种植养殖技术", "核实收入台账并签字确认")
VISIT_PROBLEMS = ("", "", "", "", "老人慢性病用药负担较重", "冬季取暖费用高", "孩子上学交通不便", "缺少务工信息",
                  "房屋墙体有裂缝需鉴定", "农产品销路不畅")


def _d(text: str) -> Decimal:
    return Decimal(text)


@dataclass
class Person:
    name: str
    id_number: str
    relation: str
    sex: str
    born: dt.date
    joined_on: dt.date | None = None
    left_on: dt.date | None = None
    left_reason: str | None = None
    row: dict = field(default_factory=dict)

    def present_on(self, day: dt.date) -> bool:
        """The register's rule (models.Member.present_on): from joining, else from birth, until leaving."""
        if (self.joined_on or self.born) > day:
            return False
        return self.left_on is None or self.left_on > day


@dataclass
class Home:
    code: str
    township: str
    village: str
    kind: str  # ordinary / exited / poor / returned (as of January 2019)
    people: list[Person] = field(default_factory=list)
    identified: dt.date | None = None
    exited: dt.date | None = None
    returned: dt.date | None = None
    attribute: str = "ordinary"
    guaranteed: bool = False
    later_exit: dt.date | None = None  # the exit of a household still poor in January 2019
    row: dict = field(default_factory=dict)

    @property
    def registered(self) -> bool:
        return self.kind != "ordinary"

    def present(self, day: dt.date = AS_OF) -> list[Person]:
        return [p for p in self.people if p.present_on(day)]


@dataclass
class County:
    """The generated county: rows per template sheet (canonical headers), plus the households for the roster."""

    areas: list[dict] = field(default_factory=list)
    homes: list[Home] = field(default_factory=list)
    incomes: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    cadres: list[dict] = field(default_factory=list)
    pairings: list[dict] = field(default_factory=list)
    benefits: list[dict] = field(default_factory=list)
    measures: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)


class _Gen:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.ids: set[str] = set()
        self.phones: set[str] = set()

    # --- small pieces -------------------------------------------------------------------------------------

    def date_in(self, year: int, first_month: int = 1, last_month: int = 12) -> dt.date:
        start = dt.date(year, first_month, 1)
        end = dt.date(year + (last_month == 12), last_month % 12 + 1, 1) - dt.timedelta(days=1)
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    def id_number(self, born: dt.date, sex: str, late: bool = False) -> str:
        area = NEW_AREA if born.year >= 2003 or late else OLD_AREA
        while True:
            seq = self.rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
            number = idcard.make(area, born, seq)
            if number not in self.ids:
                self.ids.add(number)
                return number

    def phone(self) -> str:
        while True:
            number = self.rng.choice(("13", "15", "18")) + f"{self.rng.randrange(10**9):09d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def name(self, sex: str, surname: str | None = None) -> str:
        pool = MALE_NAMES if sex == "M" else FEMALE_NAMES
        return (surname or self.rng.choice(SURNAMES)) + self.rng.choice(pool)

    def partition(self, total: int, parts: int, low: int = 1, high: int = 7) -> list[int]:
        """parts sizes in [low, high] summing to total, shuffled."""
        if not parts * low <= total <= parts * high:
            raise ValueError(f"cannot split {total} into {parts} parts of {low}..{high}")
        sizes = [low] * parts
        rest = total - low * parts
        while rest:
            i = self.rng.randrange(parts)
            if sizes[i] < high and (sizes[i] < 4 or self.rng.random() < 0.35):
                sizes[i] += 1
                rest -= 1
        self.rng.shuffle(sizes)
        return sizes

    def amounts(self, total: Decimal, parts: int, jitter: float = 0.6) -> list[Decimal]:
        """parts positive amounts (2 decimals) summing exactly to total."""
        weights = [1 + self.rng.uniform(-jitter, jitter) for _ in range(parts)]
        scale = sum(weights)
        values = [(total * Decimal(w / scale)).quantize(_d("0.1")) for w in weights]
        values[-1] += total - sum(values)
        return values

    # --- people -------------------------------------------------------------------------------------------

    def person(self, relation: str, sex: str, born: dt.date, surname: str | None = None) -> Person:
        late = born.year < 2003 and self.rng.random() < 0.0004  # 补录户口: an area code newer than the birth
        return Person(self.name(sex, surname), self.id_number(born, sex, late), relation, sex, born)

    def family(self, size: int, poor: bool) -> list[Person]:
        """A plausible family of `size` people present in January 2019 (head first)."""
        rng = self.rng
        head_age = rng.randint(28, 82) if size > 1 else rng.randint(45, 88)
        head_sex = "M" if rng.random() < 0.82 else "F"
        head_born = self.date_in(2019 - head_age - 1, 2, 12)
        surname = rng.choice(SURNAMES)
        head = self.person("head", head_sex, head_born, surname)
        people = [head]
        left = size - 1
        if left and rng.random() < 0.9:
            spouse_sex = "F" if head_sex == "M" else "M"
            born = self.date_in(max(1925, min(1998, head_born.year + rng.randint(-5, 4))))
            people.append(self.person("spouse", spouse_sex, born))
            left -= 1
        if left >= 3 and head_age >= 58:
            son_born = self.date_in(head_born.year + rng.randint(22, 30))
            people.append(self.person("son", "M", son_born, surname))
            people.append(self.person("daughter_in_law", "F", self.date_in(son_born.year + rng.randint(-3, 3))))
            left -= 2
            for _ in range(left):
                sex = rng.choice("MF")
                born = self.date_in(min(2018, son_born.year + rng.randint(22, 32)))
                people.append(self.person("grandson" if sex == "M" else "granddaughter", sex, born, surname))
            return people
        for _ in range(left):
            sex = rng.choice("MF")
            year = min(2018, head_born.year + rng.randint(20, 40))
            people.append(self.person("son" if sex == "M" else "daughter", sex, self.date_in(year), surname))
        return people

    def describe(self, p: Person, poor: bool, guaranteed: bool) -> None:
        """Fill a member's 家庭成员 fields from their age in January 2019."""
        rng = self.rng
        age = idcard.age_on(p.id_number, AS_OF)
        if age < 3:
            education, school = "preschool", "not_student"
        elif age < 6:
            education, school = "preschool", "preschool"
        elif age < 12:
            education, school = "primary", "primary"
        elif age < 15:
            education, school = "junior", "junior"
        elif age < 18:
            education, school = "junior", rng.choice(("senior", "senior", "secondary_vocational"))
        elif age < 22 and rng.random() < 0.35:
            education, school = "senior", rng.choice(("college", "higher_vocational"))
        else:
            school = "not_student"
            weights = (("illiterate", 3), ("primary", 6), ("junior", 10), ("senior", 3), ("college", 1)) if age > 55 \
                else (("illiterate", 1), ("primary", 3), ("junior", 10), ("senior", 5), ("college", 3))
            education = rng.choices([w[0] for w in weights], [w[1] for w in weights])[0]
        roll = rng.random()
        sick = 0.25 if poor else 0.08
        health = "healthy"
        disability = None
        if roll < sick * 0.5:
            health = "chronic"
        elif roll < sick * 0.75:
            health = "serious"
        elif roll < sick:
            health = "disabled"
            disability = rng.choice(("1", "2", "3", "4"))
        if age < 16:
            labour = "none"
        elif health == "disabled" or age >= 75:
            labour = "lost"
        elif age >= 60 or health in ("chronic", "serious"):
            labour = "weak"
        else:
            labour = "skilled" if rng.random() < 0.2 else "ordinary"
        work, months = "none", 0
        if labour in ("ordinary", "skilled") and school == "not_student":
            work = rng.choices(("in_township", "in_county", "in_province", "out_of_province", "none"),
                               (3, 3, 2, 2, 2))[0]
            months = 0 if work == "none" else rng.randint(4, 12)
        p.row = {
            "姓名": p.name,
            "身份证号": p.id_number,
            "与户主关系": RELATION.label(p.relation),
            "性别": "男" if p.sex == "M" else "女",
            "民族": "汉族" if rng.random() < 0.995 else "回族",
            "文化程度": EDUCATION.label(education),
            "在校生状况": SCHOOL_STATUS.label(school),
            "健康状况": HEALTH.label(health),
            "残疾等级": {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}.get(disability or ""),
            "劳动技能": LABOUR.label(labour),
            "务工状况": WORK.label(work),
            "务工时间（月）": months or None,
            "参加城乡居民基本医疗保险": "是" if (poor or rng.random() > 0.01) else "否",
            "参加养老保险": ("是" if rng.random() < 0.93 else "否") if age >= 16 else None,
            "享受低保": "是" if guaranteed and rng.random() < 0.7 else "否",
            "特困供养": "是" if guaranteed and age >= 60 and rng.random() < 0.2 else "否",
            "联系电话": None,
            "成员状态": "在册",
            "状态日期": None,
            "备注": None,
        }


# --- the county ---------------------------------------------------------------------------------------------


def _village_names(gen: _Gen, township: str, count: int, fixed: Sequence[str], taken: set[str]) -> list[str]:
    names = list(fixed)
    while len(names) < count:
        name = gen.rng.choice(VILLAGE_HEADS) + gen.rng.choice(VILLAGE_TAILS) + "村"
        if name not in taken and name not in names:
            names.append(name)
    taken.update(names)
    return names


def build(seed: int = SEED) -> County:
    """Generate the sample county (deterministic for a seed)."""
    gen = _Gen(seed)
    county = County()
    taken: set[str] = set()
    villages: list[tuple[str, str, str]] = []  # (township, village, 12-digit code)
    for town, town_code, count, fixed in TOWNSHIPS:
        county.areas.append({"县": COUNTY[0], "乡镇": town, "行政村": None, "区划代码": COUNTY[1] + town_code})
        for index, village in enumerate(_village_names(gen, town, count, fixed, taken), start=1):
            code = f"{COUNTY[1]}{town_code}{index:03d}"
            county.areas.append({"县": COUNTY[0], "乡镇": town, "行政村": village, "区划代码": code})
            villages.append((town, village, code))

    for town, village, code in villages:
        if village == YEZEHE[0]:
            homes = _seed_village(gen, town, village, code, *YEZEHE[1:], exit_by=2018)
        elif village == CHAKOU[0]:
            homes = _seed_village(gen, town, village, code, *CHAKOU[1:], exit_by=2017)
        elif town == "西营镇":
            continue  # built as a whole below, to hit the township's figures exactly
        else:
            n = gen.rng.randint(38, 72)
            people = n * 3 - gen.rng.randint(0, n // 3)
            registered = max(3, round(n * gen.rng.uniform(0.14, 0.26)))
            reg_people = min(people - (n - registered), registered * gen.rng.randint(2, 3))
            homes = _seed_village(gen, town, village, code, n, people, registered, reg_people, exit_by=2020)
        county.homes.extend(homes)
    county.homes.extend(_xiying(gen, [v for v in villages if v[0] == "西营镇"]))
    _rows_for_homes(gen, county)
    _incomes(gen, county)
    _cadres_and_pairings(gen, county, villages)
    _benefits_and_measures(gen, county)
    return county


def _seed_village(gen: _Gen, town: str, village: str, code: str, households: int, people: int, registered: int,
                  registered_people: int, exit_by: int) -> list[Home]:
    """A village with exact household and people counts (present in January 2019)."""
    reg_sizes = gen.partition(registered_people, registered, 1, 5)
    other_sizes = gen.partition(people - registered_people, households - registered, 1, 7)
    kinds = ["registered"] * registered + ["ordinary"] * (households - registered)
    sizes = reg_sizes + other_sizes
    order = list(range(households))
    gen.rng.shuffle(order)
    homes = []
    for seq, i in enumerate(order, start=1):
        home = Home(f"{code}{seq:04d}", town, village, "ordinary")
        if kinds[i] == "registered":
            _history(gen, home, exit_by)
        home.people = gen.family(sizes[i], home.registered)
        homes.append(home)
    return sorted(homes, key=lambda h: h.code)


def _history(gen: _Gen, home: Home, exit_by: int, kind: str | None = None) -> None:
    """Identification (2014–2016) and exit (2016–exit_by) dates; kind forces the January 2019 status."""
    rng = gen.rng
    home.identified = gen.date_in(rng.choice((2014, 2014, 2015, 2016)), 4, 11)
    home.attribute = rng.choices(("general_poor", "dibao_poor", "tekun_poor"), (8, 3, 1))[0]
    if kind is None:
        kind = "exited" if rng.random() < 0.9 or exit_by <= 2018 else "poor"
    home.kind = kind
    if kind in ("exited", "returned"):
        first = max(2016, home.identified.year + 1)
        last = min(exit_by, 2018) if kind == "exited" else 2017
        home.exited = gen.date_in(rng.randint(first, max(first, last)), 9, 12)
    if kind == "returned":
        home.returned = gen.date_in(2018, 4, 10)


def _xiying(gen: _Gen, villages: list[tuple[str, str, str]]) -> list[Home]:
    """西营镇: 29,287 people; 1,783 households / 4,731 people exited; 82 poor people; 459 guaranteed."""
    exited_n, exited_people = XIYING_EXITED
    poor_sizes = gen.partition(XIYING_POOR_PEOPLE, 33, 1, 5)  # 30 never exited, 3 returned in 2018
    exited_sizes = gen.partition(exited_people, exited_n, 1, 5)
    ordinary_people = XIYING_PEOPLE - exited_people - XIYING_POOR_PEOPLE
    ordinary_n = round(ordinary_people / 3.05)
    ordinary_sizes = gen.partition(ordinary_people, ordinary_n, 1, 7)
    plan = [("poor", s) for s in poor_sizes[:30]] + [("returned", s) for s in poor_sizes[30:]]
    plan += [("exited", s) for s in exited_sizes] + [("ordinary", s) for s in ordinary_sizes]
    gen.rng.shuffle(plan)
    weights = [1.4, 1.2, 1.0, 0.9, 0.8, 0.7, 0.6]  # 东营村 and 西营村 are the big ones
    counters: dict[str, int] = defaultdict(int)
    homes = []
    for kind, size in plan:
        town, village, code = gen.rng.choices(villages, weights)[0]
        counters[code] += 1
        home = Home(f"{code}{counters[code]:04d}", town, village, "ordinary")
        if kind != "ordinary":
            _history(gen, home, 2018, kind)
        home.people = gen.family(size, home.registered)
        homes.append(home)
    registered = [h for h in homes if h.registered]
    for home in gen.rng.sample(registered, XIYING_GUARANTEED):
        home.guaranteed = True
        home.attribute = gen.rng.choice(("dibao_poor", "dibao_poor", "tekun_poor"))
    return sorted(homes, key=lambda h: h.code)


def _rows_for_homes(gen: _Gen, county: County) -> None:
    """Household rows (户信息), member rows, later changes (deaths, births, moves) and status events."""
    rng = gen.rng
    land_targets = {"西营镇": XIYING_LAND, YEZEHE[0]: YEZEHE_LAND}
    by_target: dict[str, list[Home]] = defaultdict(list)
    for home in county.homes:
        poor_now = home.kind in ("poor", "returned")
        for p in home.people:
            gen.describe(p, home.registered, home.guaranteed)
        # later changes: deaths before and after January 2019, births after it, a marriage out
        if rng.random() < 0.04 and idcard.age_on(home.people[0].id_number, AS_OF) < 60:
            elder_sex = rng.choice("MF")
            elder = gen.person("father" if elder_sex == "M" else "mother", elder_sex,
                               gen.date_in(rng.randint(1925, 1940)))
            gen.describe(elder, home.registered, home.guaranteed)
            elder.left_on, elder.left_reason = gen.date_in(rng.choice((2016, 2017, 2018))), "deceased"
            home.people.insert(1, elder)
        if rng.random() < 0.03:
            old = [p for p in home.people if p.present_on(AS_OF) and idcard.age_on(p.id_number, AS_OF) > 70]
            if old and old[0].relation != "head":
                old[0].left_on, old[0].left_reason = gen.date_in(rng.choice((2019, 2020, 2021)), 3, 12), "deceased"
        if rng.random() < 0.04:
            parent = home.people[0]
            born = gen.date_in(rng.choice((2019, 2020, 2021)), 3, 12)
            child_sex = rng.choice("MF")
            child = gen.person("grandson" if child_sex == "M" else "granddaughter", child_sex, born,
                               parent.name[0])
            child.joined_on = born
            gen.describe(child, home.registered, home.guaranteed)
            child.row["在校生状况"] = "非在校生"
            child.row["文化程度"] = "学龄前儿童"
            home.people.append(child)
        if rng.random() < 0.02:
            daughters = [p for p in home.people if p.relation == "daughter" and p.present_on(AS_OF)
                         and idcard.age_on(p.id_number, AS_OF) >= 20]
            if daughters:
                daughters[0].left_on, daughters[0].left_reason = gen.date_in(2020, 3, 10), "moved_out"
        for p in home.people:
            if p.left_on:
                p.row["成员状态"] = "死亡" if p.left_reason == "deceased" else "迁出"
                p.row["状态日期"] = p.left_on
            elif p.joined_on:
                p.row["成员状态"] = "新增"
                p.row["状态日期"] = p.joined_on
        head = home.people[0]
        head.row["联系电话"] = gen.phone()
        cause = rng.choices(CAUSE.codes(), (30, 12, 10, 4, 5, 3, 14, 10, 8, 2, 2))[0] if home.registered else None
        other = rng.choice([c for c in CAUSE.codes() if c != cause]) if cause and rng.random() < 0.4 else None
        if home.registered:
            housing = rng.choice("AB") if not poor_now or rng.random() < 0.8 else "C"
        else:
            housing = rng.choices("ABC", (6, 5, 1))[0]
        home.row = {
            "户编号": home.code,
            "县": COUNTY[0],
            "乡镇": home.township,
            "行政村": home.village,
            "村民小组": f"第{rng.randint(1, 6)}组",
            "户主姓名": head.name,
            "户主身份证号": head.id_number,
            "联系电话": head.row["联系电话"],
            "家庭人口": len(home.present(REGISTER_DATE)),
            "贫困户属性": ATTRIBUTE.label(home.attribute),
            "脱贫状态": None,
            "识别标准": "国家标准" if home.registered else None,
            "识别年度": None,
            "脱贫年度": None,
            "主要致贫原因": CAUSE.label(cause),
            "其他致贫原因": CAUSE.label(other),
            "耕地面积（亩）": Decimal(rng.randint(2, 30)) / 2,
            "林地面积（亩）": Decimal(rng.randint(0, 20)) / 2 if rng.random() < 0.3 else None,
            "住房安全": f"{housing}级",
            "饮水安全": "是",
            "通电": "是",
            "通路": "是",
            "两不愁": "是" if home.registered and not poor_now else ("否" if poor_now else None),
            "备注": None,
        }
        key = "西营镇" if home.township == "西营镇" else home.village
        if key in land_targets:
            by_target[key].append(home)
        _events(gen, county, home)
    for key, homes in by_target.items():
        for home, area in zip(homes, gen.amounts(land_targets[key], len(homes), 0.7), strict=True):
            home.row["耕地面积（亩）"] = area


def _events(gen: _Gen, county: County, home: Home) -> None:
    rng = gen.rng
    if not home.registered:
        if rng.random() < 0.006:  # a near-poor ordinary household taken into monitoring later
            day = gen.date_in(2021, 3, 11)
            county.events.append(_event(home, "纳入监测", day, "收入骤减，经入户核实纳入监测",
                                        monitoring="边缘易致贫户", risks=_risks(gen), lead="基层干部排查"))
            if rng.random() < 0.5:
                county.events.append(_event(home, "风险消除", gen.date_in(2022, 6, 12), "收入稳定超过监测线半年以上",
                                            elimination="帮扶消除"))
        return
    cause = CAUSE.lookup(home.row["主要致贫原因"]) if home.row else None
    county.events.append(_event(home, "识别纳入", home.identified, "农户申请，村民代表评议，公示无异议，县级确定",
                                standard="国家标准", cause=CAUSE.label(cause)))
    if home.exited:
        county.events.append(_event(home, "脱贫退出", home.exited, "达到“一达标、两不愁、三保障”，民主评议并公示"))
    if home.returned:
        reason = rng.choice(("家庭成员患大病", "因灾损失", "务工收入中断"))
        county.events.append(_event(home, "返贫", home.returned, reason))
    if home.kind in ("poor", "returned"):
        # the later exits: dated after January 2019, so the 2019-01 summary must not see them
        home.later_exit = gen.date_in(rng.choice((2019, 2020)), 9, 11)
        county.events.append(_event(home, "脱贫退出", home.later_exit, "达到“一达标、两不愁、三保障”，民主评议并公示"))
    if home.exited and rng.random() < 0.02:
        county.events.append(_event(home, "纳入监测", gen.date_in(2021, 2, 10), "脱贫后收入不稳定",
                                    monitoring="脱贫不稳定户", risks=_risks(gen), lead="部门筛查预警"))


def _risks(gen: _Gen) -> str:
    return "、".join(RISK.label(c) for c in gen.rng.sample(("illness", "schooling", "unstable_work", "no_labour"),
                                                        gen.rng.randint(1, 2)))


def _event(home: Home, kind: str, day: dt.date | None, reason: str, *, standard=None, cause=None, monitoring=None,
           risks=None, lead=None, elimination=None) -> dict:
    return {"户编号": home.code, "变动类型": kind, "日期": day, "原因": reason, "识别标准": standard,
            "致贫原因": cause, "监测对象类型": monitoring, "风险类型": risks, "线索来源": lead, "消除方式": elimination}


def _line(year: int) -> Decimal:
    return {2016: _d("2952"), 2017: _d("2952"), 2018: _d("2995")}[year]


def _incomes(gen: _Gen, county: County) -> None:
    """Yearly incomes 2016–2018 of the registered households (the 收入账 is kept for them); per-capita below the
    line while poor, above it once exited."""
    rng = gen.rng
    for home in county.homes:
        if not home.registered:
            continue
        for year in (2016, 2017, 2018):
            end = dt.date(year, 12, 31)
            present = len(home.present(end))
            if present == 0:
                continue
            identified = home.identified is not None and home.identified <= end
            exited = home.exited is not None and home.exited <= end
            returned = home.returned is not None and home.returned <= end
            poor = (identified and not exited) or returned
            factor = rng.uniform(0.6, 1.05) if poor else rng.uniform(1.25, 2.8)
            net = (_line(year) * Decimal(str(round(factor, 3))) * present).quantize(_d("1"))
            transfer = (net * Decimal(str(round(rng.uniform(0.08, 0.3), 2)))).quantize(_d("1"))
            property_ = _d("0")  # the small-loan dividends are added with the benefits
            business = (net * Decimal(str(round(rng.uniform(0.1, 0.35), 2)))).quantize(_d("1"))
            expense = (business * Decimal(str(round(rng.uniform(0.15, 0.4), 2)))).quantize(_d("1"))
            wage = net - transfer - property_ - business + expense
            if wage < 0:
                business -= wage
                wage = _d("0")
            if rng.random() < 0.1:
                transfer += _d("0.50")
                wage -= _d("0.50") if wage >= 1 else 0
            county.incomes.append({"户编号": home.code, "年度": year, "月份": None, "工资性收入": wage,
                                   "生产经营性收入": business, "生产经营性支出": expense, "财产性收入": property_,
                                   "转移性收入": transfer, "合规自付支出": None, "备注": None})


def _cadres_and_pairings(gen: _Gen, county: County, villages: list[tuple[str, str, str]]) -> None:
    """2,434 cadres, each paired on 31 January 2019; 73 of them first secretaries of 73 poor villages."""
    rng = gen.rng
    registered = [h for h in county.homes if h.registered]
    by_village: dict[str, list[Home]] = defaultdict(list)
    for home in registered:
        by_village[home.village].append(home)
    # the 73 poor villages: outside 西营镇 (large villages, mostly out of poverty), those with most registered homes
    xiying = {name for town, name, _ in villages if town == "西营镇"}
    candidates = sorted(((len(hs), v) for v, hs in by_village.items() if v not in xiying), reverse=True)
    poor_villages = [v for _, v in candidates[:FIRST_SECRETARIES]]
    town_of = {name: town for town, name, _ in villages}
    cadres = []
    for i in range(CADRES):
        sex = "M" if rng.random() < 0.7 else "F"
        born = gen.date_in(rng.randint(1962, 1994))
        role = "第一书记" if i < FIRST_SECRETARIES else rng.choices(ROLES, (85, 11, 4))[0]
        village = poor_villages[i] if i < FIRST_SECRETARIES else None
        cadres.append({"姓名": gen.name(sex), "身份证号": gen.id_number(born, sex), "工作单位": rng.choice(UNITS),
                       "职务": rng.choice(POSTS), "联系电话": gen.phone(), "帮扶角色": role,
                       "驻村乡镇": town_of.get(village) if village else None, "驻村村": village})
    county.cadres = cadres

    # first secretaries first take a household of their own village; everyone else at least one household
    rng.shuffle(registered)
    assignment: dict[str, int] = {}
    for i, village in enumerate(poor_villages):
        home = next(h for h in by_village[village] if h.code not in assignment)
        assignment[home.code] = i
    rest = [h for h in registered if h.code not in assignment]
    others = list(range(FIRST_SECRETARIES, CADRES))
    if len(rest) < len(others):
        raise ValueError("not enough registered households to pair every cadre")
    for j, home in enumerate(rest):
        assignment[home.code] = others[j] if j < len(others) else rng.choice(others)
    counts: dict[int, int] = defaultdict(int)
    for c in assignment.values():
        counts[c] += 1
    homes_by_code = {h.code: h for h in registered}
    replaced = 0
    for code in sorted(assignment):
        home = homes_by_code[code]
        cadre = cadres[assignment[code]]
        start = max(dt.date(2016, 3, 1), home.identified + dt.timedelta(days=rng.randint(20, 60)))
        # a replacement in mid-2018 (the old cadre keeps another household, so still counts as paired)
        if replaced < 60 and counts[assignment[code]] >= 2 and start < dt.date(2018, 1, 1) and rng.random() < 0.3:
            counts[assignment[code]] -= 1
            newcomer = cadres[rng.choice(others)]
            county.pairings.append(_pairing(home, cadre, start, dt.date(2018, 6, 30), "工作调动，更换帮扶责任人"))
            county.pairings.append(_pairing(home, newcomer, dt.date(2018, 6, 30)))
            replaced += 1
            cadre = newcomer
            start = dt.date(2018, 6, 30)
        else:
            county.pairings.append(_pairing(home, cadre, start))
        _visits(gen, county, home, cadre, start)


def _pairing(home: Home, cadre: dict, start: dt.date, end: dt.date | None = None, reason: str | None = None) -> dict:
    return {"户编号": home.code, "帮扶干部身份证号": cadre["身份证号"], "帮扶干部姓名": cadre["姓名"],
            "开始日期": start, "结束日期": end, "结束原因": reason}


def _visits(gen: _Gen, county: County, home: Home, cadre: dict, start: dt.date) -> None:
    rng = gen.rng
    days = [dt.date(2018, m, rng.randint(3, 26)) for m in (3, 6, 9, 12)]
    if rng.random() < 0.78:
        days.append(dt.date(2019, 1, rng.randint(5, 28)))
    for day in days:
        if day < start:
            continue
        problem = rng.choice(VISIT_PROBLEMS)
        county.visits.append({"户编号": home.code, "帮扶干部身份证号": cadre["身份证号"], "走访日期": day,
                              "走访内容": rng.choice(VISIT_DONE), "发现问题": problem or None,
                              "是否解决": ("是" if rng.random() < 0.7 else "否") if problem else None})


def _benefits_and_measures(gen: _Gen, county: County) -> None:
    rng = gen.rng
    homes = county.homes
    # 野则河村: 46 small loans of 50,000 yuan (four households hold two), 3,000 yuan dividend a year each
    yezehe_registered = [h for h in homes if h.village == YEZEHE[0] and h.registered]
    doubles = set(h.code for h in rng.sample(yezehe_registered, YEZEHE_LOANS - len(yezehe_registered)))
    for home in yezehe_registered:
        for loan in range(2 if home.code in doubles else 1):
            for year in (2016, 2017, 2018):  # a second loan pays the next day: one payment, one row
                county.benefits.append(_benefit(home, "扶贫小额信贷分红", "金融", dt.date(year, 12, 20 + loan),
                                                _d("3000"), f"5万元扶贫小额信贷入股分红（第{loan + 1}笔）"))
    # the loan dividends are property income, on top of what the household earned otherwise
    loans = {h.code: (2 if h.code in doubles else 1) for h in yezehe_registered}
    for row in county.incomes:
        n = loans.get(row["户编号"])
        if n:
            row["财产性收入"] += _d("3000") * n
    # 西营镇: 459 guaranteed households paid 1,000 yuan each in January 2019 from 7 asset-income projects
    for home in homes:
        if home.guaranteed:
            county.benefits.append(_benefit(home, "资产收益扶贫分红", "资产收益", dt.date(2019, 1, 15), _d("1000"),
                                            "7个资产收益项目（总投资900万元）兜底户分红"))
    # everyday benefits: medical-insurance subsidies, 雨露计划 for vocational students, housing renovation
    for home in homes:
        if not home.registered:
            continue
        day = dt.date(2018, 12, 18) if home.township == "西营镇" else dt.date(2019, 1, 10)
        insured = [p for p in home.present(day) if p.row.get("参加城乡居民基本医疗保险") == "是"]
        if insured:
            county.benefits.append(_benefit(home, "城乡居民医疗保险个人缴费补贴", "健康", day,
                                            _d("180") * len(insured), f"{len(insured)}人，每人180元"))
        for p in home.present(dt.date(2018, 9, 1)):
            if p.row.get("在校生状况") in ("中职", "高职"):
                county.benefits.append(_benefit(home, "雨露计划", "教育", dt.date(2018, 10, 15), _d("1500"),
                                                f"{p.name} 职业教育补助", member=p.id_number))
        if home.row.get("住房安全") == "C级" and rng.random() < 0.5:
            county.benefits.append(_benefit(home, "农村危房改造补助", "住房", dt.date(2017, 8, 20),
                                            _d(str(rng.choice((14000, 16000, 20000)))), "C级危房加固改造"))
    # 野则河村: 28 households planted 白皮松 on 269.3 亩; the registered households 17 亩 with 36,600 plants
    yezehe = [h for h in homes if h.village == YEZEHE[0]]
    planters = rng.sample(yezehe_registered, 8) + rng.sample([h for h in yezehe if not h.registered], 20)
    n, total, poor_area, plants = YEZEHE_PINE
    poor_areas = gen.amounts(poor_area, 8, 0.3)
    other_areas = gen.amounts(total - poor_area, n - 8, 0.5)
    poor_plants = [int(plants * a / poor_area) for a in poor_areas]
    poor_plants[-1] += plants - sum(poor_plants)
    for i, home in enumerate(planters):
        area = poor_areas[i] if i < 8 else other_areas[i - 8]
        text = f"种植白皮松 {area} 亩" + (f"，{poor_plants[i]} 株" if i < 8 else "")
        county.measures.append(_measure(home, "产业", dt.date(2018, 4, 10 + i % 10), text))
    # 西营镇: 355 households / 412 people trained; 东营村 water works reached 229 households
    xiying = [h for h in homes if h.township == "西营镇"]
    trained = rng.sample(xiying, XIYING_TRAINED[0])
    people = gen.partition(XIYING_TRAINED[1], XIYING_TRAINED[0], 1, 3)
    for home, count in zip(trained, people, strict=True):
        course = rng.choice(("电焊工", "家政服务", "中式烹调", "果树修剪", "养殖技术", "电商运营"))
        county.measures.append(_measure(home, "培训", gen.date_in(2018, 3, 11), f"{course}技能培训（{count}人）"))
    dongying = [h for h in xiying if h.village == "东营村"]
    for home in rng.sample(dongying, DONGYING_WATER):
        county.measures.append(_measure(home, "其他", dt.date(2018, 6, 28), "东营村饮水工程入户通水"))
    for home in homes:
        if home.registered and rng.random() < 0.5:
            kind = rng.choice(("产业", "就业", "金融", "教育", "健康"))
            text = {"产业": "发放养殖扶持资金", "就业": "推荐到县城企业务工", "金融": "办理扶贫小额信贷",
                    "教育": "落实教育资助政策", "健康": "签约家庭医生"}[kind]
            amount = _d(str(rng.choice((2000, 3000, 5000)))) if kind == "产业" else None
            county.measures.append(_measure(home, kind, gen.date_in(rng.choice((2016, 2017, 2018))), text, amount))


def _benefit(home: Home, policy: str, category: str, day: dt.date, amount: Decimal, note: str | None = None,
             member: str | None = None) -> dict:
    return {"户编号": home.code, "成员身份证号": member, "政策名称": policy, "政策类别": category, "日期": day,
            "金额": amount, "备注": note}


def _measure(home: Home, kind: str, day: dt.date, text: str, amount: Decimal | None = None) -> dict:
    return {"户编号": home.code, "措施类别": kind, "日期": day, "措施内容": text, "金额": amount,
            "帮扶干部身份证号": None}


# --- rows per sheet -------------------------------------------------------------------------------------------


def household_rows(homes: Iterable[Home]) -> list[dict]:
    return [h.row for h in homes]


def member_rows(homes: Iterable[Home]) -> list[dict]:
    return [{"户编号": h.code, **p.row} for h in homes for p in h.people]


def sheets(county: County) -> dict[str, dict[str, list[dict]]]:
    """The rows of each sample file, per template sheet (the roster file is written separately)."""
    in_roster = {h.code for h in county.homes if h.township == ROSTER_TOWNSHIP}
    main = [h for h in county.homes if h.code not in in_roster]
    roster_incomes = [r for r in county.incomes if r["户编号"] in in_roster and r["年度"] != 2018]
    return {
        FILE_REGISTER: {
            "行政区划": county.areas,
            "户信息": household_rows(main),
            "家庭成员": member_rows(main),
            "收入": [r for r in county.incomes if r["户编号"] not in in_roster],
            "识别变动": [e for e in county.events if e["户编号"] not in in_roster],
        },
        FILE_ASSISTANCE: {
            "收入": roster_incomes,  # the roster carries 2018; the earlier years come with this file
            "识别变动": [e for e in county.events
                     if e["户编号"] in in_roster and e["变动类型"] not in ("识别纳入", "脱贫退出")],
            "帮扶干部": county.cadres,
            "结对关系": county.pairings,
            "享受政策": county.benefits,
            "帮扶措施": county.measures,
            "走访记录": county.visits,
        },
    }


# --- the flat roster, as a township sends it ------------------------------------------------------------------

ROSTER_GROUPS = (
    ("户基本情况", ("户编号", "乡（镇）", "行政村", "户主", "家庭人口", "贫困户属性", "脱贫属性", "纳入年度",
                "脱贫年度", "主要致贫原因", "住房安全", "联系电话")),
    ("家庭成员情况", ("姓名", "证件号码", "与户主关系", "性别", "文化程度", "在校生状况", "健康状况", "劳动技能",
                  "务工状况", "参加城乡居民基本医疗保险", "人员状态", "变动日期")),
    ("收入情况（元）", ("年度", "工资性收入", "生产经营性收入", "生产经营性支出", "财产性收入", "转移性收入")),
)


def roster_rows(county: County) -> list[tuple[Home, list[list[object]]]]:
    """Per household of the roster township, its rows in the roster's column order."""
    incomes = {r["户编号"]: r for r in county.incomes if r["年度"] == 2018}
    result = []
    for home in county.homes:
        if home.township != ROSTER_TOWNSHIP:
            continue
        h = home.row
        status, exit_year = None, None
        if home.registered:  # as the register stands at the end of 2022
            final_exit = home.later_exit or home.exited
            status = "已脱贫" if final_exit else "未脱贫"
            exit_year = final_exit.year if final_exit else None
        inc = incomes.get(home.code, {})
        household_part = [home.code, home.township, home.village, h["户主姓名"], h["家庭人口"], h["贫困户属性"], status,
                          home.identified.year if home.identified else None, exit_year,
                          h["主要致贫原因"], h["住房安全"], h["联系电话"]]
        income_part = [2018 if inc else None, inc.get("工资性收入"), inc.get("生产经营性收入"),
                       inc.get("生产经营性支出"), inc.get("财产性收入"), inc.get("转移性收入")]
        rows = []
        for p in home.people:
            r = p.row
            member_part = [r["姓名"], r["身份证号"], r["与户主关系"], r["性别"], r["文化程度"], r["在校生状况"],
                           r["健康状况"], r["劳动技能"], r["务工状况"], r["参加城乡居民基本医疗保险"], r["成员状态"],
                           r["状态日期"]]
            rows.append(household_part + member_part + income_part)
        result.append((home, rows))
    return result


def write_roster(path: Path, county: County) -> None:
    """The 会立乡 roster: title rows, a two-level header, household cells merged down, 合计 row, signatures."""
    from openpyxl import Workbook

    from povmon import xlsx

    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    columns = [c for _, cols in ROSTER_GROUPS for c in cols]
    n_household = len(ROSTER_GROUPS[0][1])
    last = len(columns)
    xlsx.title(ws, 1, f"{COUNTY[0]}{ROSTER_TOWNSHIP}建档立卡户及一般农户家庭成员花名册", last)
    xlsx.put(ws, 2, 1, f"填报单位：{ROSTER_TOWNSHIP}人民政府（盖章）", border=False, align=xlsx.LEFT_NOWRAP)
    xlsx.put(ws, 2, last - 5, f"数据截至：{REGISTER_DATE.isoformat()}", border=False, align=xlsx.LEFT_NOWRAP)
    col = 1
    for group, cols in ROSTER_GROUPS:
        xlsx.put(ws, 3, col, group, font=xlsx.FONT_BOLD, align=xlsx.CENTER, fill=xlsx.HEADER_FILL)
        for c in range(col + 1, col + len(cols)):
            xlsx.put(ws, 3, c, None, fill=xlsx.HEADER_FILL)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + len(cols) - 1)
        col += len(cols)
    xlsx.header_row(ws, 4, columns)
    row = 5
    households_people = 0
    for home, rows in roster_rows(county):
        households_people += home.row["家庭人口"]
        first = row
        for values in rows:
            for c, value in enumerate(values, start=1):
                if c <= n_household and row > first:
                    continue  # household cells are merged down over the member rows
                fmt = xlsx.TEXT_FORMAT if columns[c - 1] in ("户编号", "证件号码", "联系电话") else None
                xlsx.put(ws, row, c, value, number_format=fmt)
            row += 1
        if row - first > 1:
            for c in range(1, n_household + 1):
                ws.merge_cells(start_row=first, start_column=c, end_row=row - 1, end_column=c)
    xlsx.put(ws, row, 1, "合计", font=xlsx.FONT_BOLD)
    xlsx.put(ws, row, columns.index("家庭人口") + 1, households_people, font=xlsx.FONT_BOLD)
    xlsx.put(ws, row + 2, 1, "填表人：", border=False)
    xlsx.put(ws, row + 2, 6, "审核人：", border=False)
    xlsx.put(ws, row + 2, 12, "填表日期：", border=False)
    xlsx.fit_widths(ws, first_row=4, maximum=22)
    ws.column_dimensions["A"].width = 19  # the merged 合计 cell must not widen the code column
    ws.freeze_panes = "A5"
    xlsx.a4(ws, landscape=True, repeat_rows="3:4")
    notes = wb.create_sheet("填表说明")
    notes_text = ("1. 一人一行，户信息只在每户第一行填写（已合并单元格）。", "2. 证件号码列须设置为文本格式。",
                  "3. 脱贫属性填 未脱贫 / 已脱贫；一般农户不填。", "4. 收入为上年度全年收入，单位：元。")
    for i, text in enumerate(notes_text, start=1):
        xlsx.put(notes, i, 1, text, border=False)
    notes.column_dimensions["A"].width = 60
    _save_stable(wb, path)


# --- writing ----------------------------------------------------------------------------------------------------

FIXED_TIME = dt.datetime(2023, 1, 1, 8, 0, 0)


def _save_stable(wb, path: Path) -> None:
    """Save with fixed document times and zip timestamps, so the same data gives the same bytes."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "povmon sample generator"
    wb.properties.lastModifiedBy = None
    wb.save(path)
    _normalize_zip(path)


def _normalize_zip(path: Path) -> None:
    """Rewrite a zip with every entry dated FIXED_TIME (openpyxl stamps entries with the current time)."""
    with zipfile.ZipFile(path) as source:
        entries = [(info, source.read(info)) for info in source.infolist()]
    core = "docProps/core.xml"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in entries:
            if info.filename == core:
                # openpyxl writes "modified" as the save time whatever the property says
                data = _fix_core_times(data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            target.writestr(fixed, data)


def _fix_core_times(data: bytes) -> bytes:
    import re

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", data)


def write(directory: Path, seed: int = SEED, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Generate the sample county and write its workbooks into a folder; returns the paths in import order."""
    from povmon.ingest import template

    directory.mkdir(parents=True, exist_ok=True)
    county = build(seed)
    paths = []
    per_file = sheets(county)
    for name in FILES:
        path = directory / name
        if progress:
            progress(name)
        with files.atomic(path, private=False) as temporary:  # generated people, no one's real ID
            if name == FILE_ROSTER:
                write_roster(temporary, county)
            else:
                template.write(temporary, per_file[name])
                _normalize_zip(temporary)
        paths.append(path)
    # the work teams, from a random stream of their own: the files above are the same with or without them
    from povmon import sample_teams

    path = directory / FILE_ATTENDANCE
    if progress:
        progress(FILE_ATTENDANCE)
    with files.atomic(path, private=False) as temporary:
        sample_teams.write_attendance(temporary, sample_teams.build(county, seed))
    paths.append(path)
    return paths

