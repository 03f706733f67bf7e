"""The sample county's projects, assets, employment, training and party members: the rest of the seed's figures.

Built on the county ``povmon.sample.build`` generates (the same households and people, rebuilt from the same
seed) with a random stream of its own (``random.Random(f"{seed}-extras")``), so every earlier sample file and
figure stays byte-identical. The seed's figures (docs/DOMAIN.md; all as of 31 January 2019):

- 野则河村: 14 party members; 28 people of registered households employed at about 20,000 yuan a year; the
  白皮松 planting of 28 households on 269.3 亩 (the registered households' 17 亩 and 36,600 plants) as an industry
  project whose beneficiaries are the planters of the 帮扶措施 sheet;
- 岔口村: 23 party members; its service cooperative (服务专业合作社) with 22 members working there, and the 20,000
  yuan of tools a partner enterprise paid for, as a project and an asset of the village;
- 西营镇: 7 asset-income projects (one per village) worth 9,000,000 yuan, whose beneficiaries are the 459
  guaranteed (兜底) households, each paid its 2018 dividend of 1,000 yuan on 15 January 2019 — the very payment
  the 享受政策 sheet already holds, which the import links instead of doubling; the 355 households / 412 people
  trained (the 培训 measures, as courses and participants); registered households employed in the enterprises
  the seed names, by sector (畜牧 105, 种植 137, 农产品加工 110, 工业 331, 商贸物流 322 households, and 29 in
  public-welfare posts: 1,034 households with a job paying 1,000 yuan a month or more), and 40 more with part-time
  jobs below the threshold; 东营村's water works serving the 229 households of the 帮扶措施 sheet.

The register cannot hold 1,034 registered households with 3,560 people in them (3.44 a household, where the
town's registered households average 2.65): on 31 January 2019 the 1,034 largest registered households of 西营镇
hold 3,559 people, and the 1,034 largest with a member who can work (17–64, 弱劳动力 included) 3,557. The employed
households are those, so the figure comes out at 3,557 — the nearest the register allows.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from povmon import files
from povmon.rules import idcard
from povmon.sample import AS_OF, CHAKOU, YEZEHE, County, Home, Person, _normalize_zip, build

FILE_EXTRAS = "05-交城县-项目与就业.xlsx"
SEED_PARTY = {YEZEHE[0]: 14, CHAKOU[0]: 23}
YEZEHE_EMPLOYED = 28  # 贫困人口就业 at about 20,000 yuan a year
CHAKOU_COOPERATIVE = "岔口村服务专业合作社"
CHAKOU_MEMBERS = 22  # 先后吸纳20余名有劳力村民入社
XIYING_PROJECTS = 7
XIYING_ASSET_INCOME = Decimal("9000000")
XIYING_DIVIDEND = Decimal("1000")
DIVIDEND_DAY = dt.date(2019, 1, 15)  # the day the 享受政策 sheet pays it
XIYING_WAGE = (1_034, 3_560)
# the seed's sectors: (industry label, enterprises, registered households employed)
XIYING_SECTORS = (
    ("畜牧养殖", ("鑫源鑫养殖有限公司", "新兴种猪场", "关帝山养蜂专业合作社", "金牧苑养殖有限公司", "华煜养殖有限公司",
              "恒盛农牧有限公司"), 105),
    ("种植", ("瑞苑苑种植基地", "翠丰农业开发有限公司", "凯鸿草莓园", "开心农场", "青年种植合作社",
            "亿盛农牧林合作社"), 137),
    ("农产品加工", ("老农民食品有限公司", "西营粉条加工厂", "西营豆制品加工厂", "关帝山生态公司", "西域果业有限公司"),
              110),
    ("工业", ("山西文源包装有限公司", "泰峰包装有限公司", "欧格软包有限公司"), 331),
    ("商贸物流", ("寨子村铸造厂", "大营钢材市场", "石侯村废铁交易市场", "西营村商贸物流园"), 322),
    ("公益岗位", ("西营镇乡村公益性岗位",), 29),
)
PART_TIME = ("服务", "西营镇家政服务站", 40)  # registered households whose only job pays below the threshold
DONGYING_WATER_TEXT = "东营村饮水工程入户通水"
PINE = re.compile(r"种植白皮松 ([\d.]+) 亩(?:，(\d+) 株)?")
TRAINED = re.compile(r"(.+)技能培训（(\d)人）")


def _age(p: Person, day: dt.date = AS_OF) -> int:
    return idcard.age_on(p.id_number, day)


def _workers(home: Home, day: dt.date = AS_OF, low: int = 18, high: int = 59, weak: bool = False) -> list[Person]:
    """Members present on the day, of working age, able to work (the roster's 劳动技能; light work for ``weak``)."""
    able = ("普通劳动力", "技能劳动力", *(("弱劳动力或半劳动力",) if weak else ()))
    return [p for p in home.present(day) if low <= _age(p, day) <= high and p.row.get("劳动技能") in able]


def _wage_workers(home: Home) -> list[Person]:
    """Who of a 西营镇 household may hold a job paying 1,000 yuan a month (light work too: 公益岗位, packing)."""
    return _workers(home, low=17, high=64, weak=True)


def _adults(home: Home, low: int = 25) -> list[Person]:
    return [p for p in home.present(AS_OF) if _age(p) >= low]


def _area(home: Home) -> dict:
    return {"乡镇": home.township, "行政村": home.village}


def build_rows(county: County | None = None, seed: int | None = None) -> dict[str, list[dict]]:
    """The rows of the projects workbook, per sheet (canonical headers)."""
    from povmon.sample import SEED

    seed = SEED if seed is None else seed
    county = county or build(seed)
    rng = random.Random(f"{seed}-extras")
    homes = county.homes
    by_code = {h.code: h for h in homes}
    rows: dict[str, list[dict]] = defaultdict(list)

    def day_in(year: int, first: int = 1, last: int = 12) -> dt.date:
        start = dt.date(year, first, 1)
        end = dt.date(year + (last == 12), last % 12 + 1, 1) - dt.timedelta(days=1)
        return start + dt.timedelta(days=rng.randrange((end - start).days + 1))

    def project(name, home_or_area, kind, investment, start, completed, dividend=None, text=None):
        rows["项目"].append({"项目名称": name, **home_or_area, "项目类别": kind, "总投资（元）": investment,
                           "开工日期": start, "完工日期": completed, "每户年分红（元）": dividend, "项目内容": text})

    def fund(name, area, source, amount):
        rows["项目资金"].append({"项目名称": name, **area, "资金来源": source, "金额（元）": amount})

    def asset(name, project_name, area, value, custodian, since):
        rows["项目资产"].append({"资产名称": name, "项目名称": project_name, **area, "资产价值（元）": value,
                             "资产权属": "村集体", "管护主体": custodian, "资产状态": "在用", "状态日期": since})

    def job(person: Person, firm: str, start: dt.date, wage: Decimal, post: str | None = None):
        adult = dt.date(person.born.year + 16, person.born.month, min(person.born.day, 28))
        start = min(max(start, adult + dt.timedelta(days=rng.randrange(30, 200))), AS_OF - dt.timedelta(days=20))
        rows["务工就业"].append({"身份证号": person.id_number, "姓名": person.name, "企业名称": firm, "开始日期": start,
                             "月工资（元）": wage, "岗位": post})

    # --- party members: 野则河村 14, 岔口村 23 (and a few league members, who do not count) -----------------
    for village, count in SEED_PARTY.items():
        people = [p for h in homes if h.village == village for p in _adults(h)]
        chosen = rng.sample(people, count)
        for i, p in enumerate(chosen):
            joined = max(p.born.replace(day=1) + dt.timedelta(days=365 * 22), dt.date(1970, 7, 1))
            joined = min(joined + dt.timedelta(days=rng.randrange(3650)), dt.date(2017, 7, 1))
            last = i == count - 1  # joined in July 2018: still probationary in January 2019, and counted
            if last:
                joined = dt.date(2018, 7, 1)
            rows["政治面貌"].append({"身份证号": p.id_number, "姓名": p.name, "政治面貌": "中共预备党员",
                                 "日期": joined})
            if not last:
                rows["政治面貌"].append({"身份证号": p.id_number, "姓名": p.name, "政治面貌": "中共党员",
                                     "日期": joined + dt.timedelta(days=365)})
        young = [p for h in homes if h.village == village for p in h.present(AS_OF) if 15 <= _age(p) <= 26
                 and p not in chosen]
        for p in rng.sample(young, min(3, len(young))):
            rows["政治面貌"].append({"身份证号": p.id_number, "姓名": p.name, "政治面貌": "共青团员",
                                 "日期": max(p.born + dt.timedelta(days=365 * 15), dt.date(2010, 5, 4))})

    # --- 野则河村: 白皮松 planting as a project; 28 poor people employed at about 20,000 yuan a year ----------
    yezehe = [h for h in homes if h.village == YEZEHE[0]]
    yz_area = {"乡镇": yezehe[0].township, "行政村": YEZEHE[0]}
    pine_name = "野则河村白皮松种植"
    project(pine_name, yz_area, "产业", Decimal("538600"), dt.date(2018, 3, 20), dt.date(2018, 4, 30),
            text="28户种植白皮松269.3亩（贫困户17亩、36600株）")
    fund(pine_name, yz_area, "涉农整合资金", Decimal("400000"))
    fund(pine_name, yz_area, "群众自筹", Decimal("138600"))
    for m in county.measures:
        match = PINE.fullmatch(m["措施内容"] or "")
        if match and m["户编号"] in by_code:
            rows["项目受益户"].append({"项目名称": pine_name, **yz_area, "户编号": m["户编号"], "受益日期": m["日期"],
                                  "面积（亩）": Decimal(match[1]),
                                  "数量": int(match[2]) if match[2] else None})
    nursery = "野则河村白皮松育苗基地"
    rows["企业"].append({"企业名称": nursery, "行业": "种植", **yz_area})
    rows["企业"].append({"企业名称": "交城县城区物业服务公司", "行业": "服务", "乡镇": "天宁镇"})
    poor_workers = [p for h in yezehe if h.registered for p in _workers(h)]
    if len(poor_workers) < YEZEHE_EMPLOYED:
        raise ValueError("野则河村 has too few registered people of working age")
    deltas = [d for _ in range(YEZEHE_EMPLOYED // 2) for d in [rng.randint(0, 150)] for d in (d, -d)]
    for i, (p, delta) in enumerate(zip(rng.sample(poor_workers, YEZEHE_EMPLOYED), deltas, strict=True)):
        # wages in pairs around 1,667 a month: 20,004 yuan a year on average ("about 20,000")
        job(p, nursery if i % 2 else "交城县城区物业服务公司", day_in(rng.choice((2017, 2018))), Decimal(1667 + delta))

    # --- 岔口村: the service cooperative, its tools, its members --------------------------------------------
    chakou = [h for h in homes if h.village == CHAKOU[0]]
    ck_area = {"乡镇": chakou[0].township, "行政村": CHAKOU[0]}
    rows["企业"].append({"企业名称": CHAKOU_COOPERATIVE, "行业": "合作社", **ck_area,
                       "备注": "村集体企业+合作社+贫困户；贫困户及非贫困户自愿加入"})
    tools = "岔口村合作社服务设备购置"
    project(tools, ck_area, "产业", Decimal("20000"), dt.date(2017, 4, 1), dt.date(2017, 4, 20),
            text="帮扶企业赞助购买电钻、氧焊、切割机、高枝剪等工具")
    fund(tools, ck_area, "社会捐助", Decimal("20000"))
    asset("岔口村合作社服务设备（电钻、氧焊、切割机、高枝剪）", tools, ck_area, Decimal("20000"), CHAKOU_COOPERATIVE,
          dt.date(2017, 4, 20))
    for h in rng.sample([h for h in chakou if h.registered], 6):
        rows["项目受益户"].append({"项目名称": tools, **ck_area, "户编号": h.code, "受益日期": dt.date(2017, 4, 20)})
    ck_workers = [p for h in chakou for p in _workers(h, low=20, high=62)]
    for p in rng.sample(ck_workers, CHAKOU_MEMBERS):
        job(p, CHAKOU_COOPERATIVE, day_in(2017, 5, 12), Decimal(rng.randrange(800, 1500, 50)), "社员")

    # --- 西营镇: 7 asset-income projects for the 459 guaranteed households ------------------------------------
    xiying = [h for h in homes if h.township == "西营镇"]
    villages = sorted({h.village for h in xiying}, key=lambda v: min(h.code for h in xiying if h.village == v))
    kinds = ("光伏扶贫电站", "设施农业大棚", "养殖园区", "农产品仓储冷库", "光伏扶贫电站", "标准化厂房", "乡村旅游设施")
    shares = [Decimal(w) for w in (1_600_000, 1_450_000, 1_350_000, 1_250_000, 1_200_000, 1_100_000, 1_050_000)]
    assert sum(shares) == XIYING_ASSET_INCOME and len(villages) == XIYING_PROJECTS
    guaranteed = [h for h in xiying if h.guaranteed]
    for village, kind, money in zip(villages, kinds, shares, strict=True):
        name = f"{village}{kind}资产收益项目"
        area = {"乡镇": "西营镇", "行政村": village}
        begun = day_in(rng.choice((2016, 2017)), 3, 6)
        done = begun + dt.timedelta(days=rng.randint(90, 200))
        project(name, area, "资产收益", money, begun, done, XIYING_DIVIDEND,
                f"收益用于本村兜底贫困户分红，每户每年{XIYING_DIVIDEND}元")
        central = (money * Decimal("0.6")).quantize(Decimal("1"))
        fund(name, area, "涉农整合资金", central)
        fund(name, area, "县级财政", money - central)
        asset(f"{village}{kind}", name, area, money, f"{village}村民委员会", done)
        for h in (g for g in guaranteed if g.village == village):
            rows["项目受益户"].append({"项目名称": name, **area, "户编号": h.code, "受益日期": done})
            rows["项目分红"].append({"项目名称": name, **area, "户编号": h.code, "分红年度": 2018,
                                 "发放日期": DIVIDEND_DAY, "分红金额（元）": XIYING_DIVIDEND})

    # --- 西营镇: 355 households / 412 people trained ----------------------------------------------------------
    courses: dict[tuple[str, dt.date], list[tuple[Home, int]]] = defaultdict(list)
    for m in county.measures:
        match = TRAINED.fullmatch(m["措施内容"] or "")
        if m["措施类别"] == "培训" and match:
            courses[(f"{match[1]}技能培训", m["日期"])].append((by_code[m["户编号"]], int(match[2])))
    # a measure may name more people than its household has on the day (the 帮扶措施 sheet did not look): the
    # extra places go to trained households with people to spare, so the totals stay 355 households / 412 people
    ordered = sorted(courses.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    slots = [[home, count, day] for (_, day), members in ordered for home, count in members]
    spare = 0
    for slot in slots:
        room = len(slot[0].present(slot[2]))
        if slot[1] > room:
            spare, slot[1] = spare + slot[1] - room, room
    while spare:
        slot = rng.choice(slots)
        if slot[1] < min(3, len(slot[0].present(slot[2]))):
            slot[1] += 1
            spare -= 1
    counts = {(slot[0].code, slot[2]): slot[1] for slot in slots}
    for (course, day), members in ordered:
        rows["培训"].append({"培训内容": course, "培训日期": day, "培训机构": "交城县人力资源和社会保障局",
                           "乡镇": "西营镇"})
        for home, _ in members:
            count = counts[(home.code, day)]
            present = home.present(day)
            pool = [p for p in present if 16 <= _age(p, day) <= 65]
            pool = pool if len(pool) >= count else present
            for p in rng.sample(pool, count):
                rows["培训学员"].append({"培训内容": course, "培训日期": day, "身份证号": p.id_number, "姓名": p.name})

    # --- 西营镇: registered households employed in the seed's enterprises ------------------------------------
    registered = [h for h in xiying if h.registered and _wage_workers(h)]
    registered.sort(key=lambda h: (-len(h.present(AS_OF)), h.code))
    employed = registered[:XIYING_WAGE[0]]  # the largest: as close to 3,560 people as the register allows
    rng.shuffle(employed)
    start = 0
    for industry, firms, count in XIYING_SECTORS:
        for firm in firms:
            rows["企业"].append({"企业名称": firm, "行业": industry, "乡镇": "西营镇"})
        for home in employed[start:start + count]:
            workers = _wage_workers(home)
            firm = rng.choice(firms)
            for k, p in enumerate(rng.sample(workers, 2 if len(workers) > 2 and rng.random() < 0.3 else 1)):
                wage = Decimal(rng.randrange(1000, 3600, 50)) if k == 0 else Decimal(rng.randrange(800, 3000, 50))
                job(p, firm, day_in(rng.choice((2016, 2017, 2018))), wage)
        start += count
    assert start == XIYING_WAGE[0]
    industry, firm, count = PART_TIME
    rows["企业"].append({"企业名称": firm, "行业": industry, "乡镇": "西营镇"})
    for home in rng.sample(registered[XIYING_WAGE[0]:], count):
        job(rng.choice(_wage_workers(home)), firm, day_in(2018), Decimal(rng.randrange(500, 1000, 50)), "钟点工")

    # --- 东营村: the water works and the 229 households it reached --------------------------------------------
    dongying = {"乡镇": "西营镇", "行政村": "东营村"}
    water = "东营村饮水安全工程"
    project(water, dongying, "基础设施", Decimal("1260000"), dt.date(2018, 3, 15), dt.date(2018, 6, 28),
            text="新建蓄水池、铺设入户管网")
    fund(water, dongying, "涉农整合资金", Decimal("1000000"))
    fund(water, dongying, "县级财政", Decimal("260000"))
    asset("东营村饮水工程（蓄水池、入户管网）", water, dongying, Decimal("1260000"), "东营村村民委员会",
          dt.date(2018, 6, 28))
    for m in county.measures:
        if m["措施内容"] == DONGYING_WATER_TEXT:
            rows["项目受益户"].append({"项目名称": water, **dongying, "户编号": m["户编号"], "受益日期": m["日期"]})
    return dict(rows)


def write(directory: Path, seed: int | None = None, county: County | None = None) -> Path:
    """Write the projects workbook of the sample county into a folder (the same seed gives the same bytes)."""
    from povmon.ingest import extras
    from povmon.sample import FIXED_TIME

    path = directory / FILE_EXTRAS
    wb = extras.template_book(build_rows(county, seed))
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.creator = "povmon sample generator"
    wb.properties.lastModifiedBy = None
    with files.atomic(path, private=False) as temporary:
        wb.save(temporary)
        _normalize_zip(temporary)
    return path
