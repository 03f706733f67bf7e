"""Generate the benchmark's flat roster (花名册): one row per person, household columns repeated, 30 columns.

Usage: python benchmarks/make_roster.py OUT.xlsx [--members 200000]
Deterministic (seeded), so runs on different days measure the same file.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
from pathlib import Path

from openpyxl import Workbook

from povmon.rules import idcard

HEADERS = [
    "户编号", "县", "乡镇", "行政村", "村民小组", "户主姓名", "联系电话", "家庭人口", "贫困户属性", "脱贫状态",
    "识别标准", "识别年度", "脱贫年度", "主要致贫原因", "姓名", "身份证号", "与户主关系", "性别", "民族", "文化程度",
    "在校生状况", "健康状况", "劳动技能", "务工状况", "年度", "工资性收入", "生产经营性收入", "生产经营性支出",
    "财产性收入", "转移性收入",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华玉兰桂珍红梅平刚建国文辉鹏飞霞燕婷雪慧晶琳欣瑞云凤"
TOWNSHIPS = ["天宁镇", "夏家营镇", "西营镇", "水峪贯镇", "西社镇", "庞泉沟镇", "洪相乡", "岭底乡", "东坡底乡", "会立乡"]
CAUSES = ["因病", "因残", "因学", "缺技术", "缺劳力", "缺资金"]


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def generate(path: Path, members: int = 200_000, seed: int = 7) -> int:
    """Write the roster; returns the number of member rows."""
    rng = random.Random(seed)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["交城县建档立卡户家庭成员花名册"])
    ws.append(HEADERS)
    written = 0
    hh_no = 0
    seq = 0
    while written < members:
        hh_no += 1
        town_no = hh_no % len(TOWNSHIPS)
        village_no = (hh_no // len(TOWNSHIPS)) % 15 + 1
        # 16 digits: county, township (9), village (12), then the household's number within its village
        code = f"141122{100 + town_no * 2:03d}{village_no:03d}{hh_no // 150 + 1:04d}"
        size = min(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 4, 5, 6]), members - written)
        status = rng.choice(["", "", "", "未脱贫", "已脱贫", "已脱贫", "返贫"])
        ident = rng.choice([2014, 2015, 2016]) if status else None
        exit_year = rng.choice([2016, 2017, 2018]) if status in ("已脱贫", "返贫") else None
        attribute = rng.choice(["一般贫困户", "低保贫困户", "特困供养贫困户"]) if status else "一般农户"
        head_name = name(rng)
        household = [
            code, "交城县", TOWNSHIPS[town_no], f"第{village_no}村", f"{rng.randint(1, 5)}组", head_name,
            f"13{rng.randint(100000000, 999999999)}", size, attribute, status, "国家标准" if status else "",
            ident, exit_year, rng.choice(CAUSES) if status else "",
        ]
        income = [2018, rng.randint(0, 40000), rng.randint(0, 12000), rng.randint(0, 2000), rng.choice([0, 3000]),
                  rng.randint(0, 3000)]
        for i in range(size):
            seq += 1
            relation = "户主" if i == 0 else ("配偶" if i == 1 else rng.choice(["之子", "之女", "之孙子", "之母"]))
            born = dt.date(1940, 1, 1) + dt.timedelta(days=seq * 7 % 25000)
            sex = "男" if i == 0 or relation in ("之子", "之孙子") else "女"
            number = idcard.make("142323" if born.year < 2003 else "141122", born,
                                 (seq // 3650) * 2 + (1 if sex == "男" else 0))
            person = [
                head_name if i == 0 else name(rng), number, relation, sex, "汉族",
                rng.choice(["小学", "初中", "高中", "文盲或半文盲"]), "非在校生", rng.choice(["健康", "长期慢性病"]),
                rng.choice(["普通劳动力", "弱劳动力或半劳动力", "无劳动力"]),
                rng.choice(["省外务工", "县外省内务工", "其他/未务工"]),
            ]
            ws.append(household + person + income)
            written += 1
    ws.append([])
    ws.append(["合计", None, None, None, None, None, None, written])
    ws.append(["填表人：", None, None, None, "审核人："])
    wb.save(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--members", type=int, default=200_000)
    args = parser.parse_args()
    n = generate(args.out, args.members)
    print(f"wrote {n} member rows to {args.out}")


if __name__ == "__main__":
    main()
