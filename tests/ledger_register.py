"""A small register with known ledgers: a death, a replaced pairing, an exit and a return, a household
without benefits, text that looks like a formula (shared by the ledger tests and the visual check)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.orm import Session

from . import factories as f

D = dt.date
A_CODE = "1411221040010001"
B_CODE = "1411221040010002"
C_CODE = "1411221050020001"


def build(session: Session) -> dict:
    """Three households, three cadres, a first secretary; returns the objects by name."""
    dongying = f.area_tree(session, "西营镇", "东营村")
    chakou = f.area_tree(session, "会立乡", "岔口村")
    a = f.household(
        session, A_CODE, village=dongying, group_name="一组", phone="13834561234", attribute="dibao_poor",
        standard="national", main_cause="illness", other_causes="no_skills,no_funds", housing_safety="B",
        safe_water=True, electricity=True, road=True, food_clothing_secure=True,
        arable_land=Decimal("5.50"), forest_land=Decimal("2.00"),
        members=[
            {"name": "张建国", "relation": "head", "born": D(1950, 3, 1), "education": "primary", "health": "chronic",
             "labour": "weak", "work_status": "none", "medical_insurance": True, "pension_insurance": True,
             "subsistence_allowance": True, "school_status": "not_student"},
            {"name": "李秀英", "relation": "spouse", "sex": "F", "born": D(1952, 7, 9), "health": "serious",
             "labour": "lost", "medical_insurance": True, "left_on": D(2018, 5, 3), "left_reason": "deceased"},
            {"name": "张伟", "relation": "son", "born": D(1978, 1, 20), "education": "junior", "health": "healthy",
             "labour": "ordinary", "work_status": "out_of_province", "work_months": 10, "medical_insurance": True,
             "school_status": "not_student"},
            {"name": "+王芳", "relation": "daughter_in_law", "sex": "F", "born": D(1980, 11, 2),
             "education": "senior", "health": "disabled", "disability_grade": "2", "labour": "weak",
             "medical_insurance": True, "school_status": "not_student"},
            {"name": "张小明", "relation": "grandson", "born": D(2010, 9, 1), "education": "primary",
             "school_status": "primary", "health": "healthy", "medical_insurance": True},
            {"name": "张小丽", "relation": "granddaughter", "sex": "F", "born": D(2019, 2, 1),
             "education": "preschool", "medical_insurance": True, "joined_on": D(2019, 3, 1)},
        ],
    )
    f.event(session, a, "identified", D(2014, 12, 31), year_only=True, standard="national", cause="illness",
            reason="农户申请，村民代表评议通过")
    f.event(session, a, "exited", D(2017, 12, 31), reason="人均纯收入稳定超过贫困线，三保障达标")
    f.event(session, a, "returned", D(2018, 6, 30), reason="因病返贫")
    f.event(session, a, "monitoring_added", D(2021, 3, 1), monitoring_type="unstable",
            risks="illness,unstable_work", lead_source="cadre_check")
    f.income(session, a, 2017, wage=20000, business=3000, business_expense=1000, property=3000, transfer=2400)
    f.income(session, a, 2018, wage=8000, business=1500, business_expense=500, property=3000, transfer=3600.5)
    for month in range(1, 13):
        f.income(session, a, 2019, month, wage=1500, transfer=300)
    f.income(session, a, 2021, wage=30000, property=3000, transfer=2000, compliant_spending=8000)

    f.benefit(session, a, "雨露计划", D(2017, 9, 1), 3000, category="education", member=a.members[4],
              note="=HYPERLINK(\"http://x\",\"点我\")")
    f.benefit(session, a, "低保金", D(2018, 3, 31), 1200, category="social")
    f.benefit(session, a, "医疗救助", D(2018, 7, 15), 8650.75, category="health", member=a.members[1],
              note="住院报销后二次救助")
    f.benefit(session, a, "低保金", D(2018, 9, 30), 1200, category="social")
    f.benefit(session, a, "资产收益分红", D(2019, 12, 20), 1000, category="asset_income")
    f.benefit(session, a, "资产收益分红", D(2020, 12, 20), 1000, category="asset_income")  # after 2019 ledgers

    li = f.cadre(session, "李四", "交城县国土资源局", post="科员", phone="13512345678")
    zhao = f.cadre(session, "赵六", "交城县教育局", post="副局长", phone="13698765432")
    qian = f.cadre(session, "钱七", "交城县水利局", phone="13311112222")
    secretary = f.first_secretary(session, dongying, "王书记", phone="13900001111")
    f.pairing(session, li, a, D(2016, 3, 1), D(2019, 1, 1), end_reason="工作调动")
    f.pairing(session, zhao, a, D(2019, 1, 1))
    f.measure(session, a, "industry", D(2018, 4, 10), "发放白皮松苗木200株，指导栽植", 2000, li)
    f.measure(session, a, "employment", D(2019, 5, 1), "推荐张伟到县城建筑公司务工", None, zhao)
    f.visit(session, li, a, D(2018, 8, 1), "宣讲健康扶贫政策，协助办理医疗救助", "妻子去世后情绪低落", True)
    f.visit(session, zhao, a, D(2019, 2, 15), "=1+1 核实收入，宣讲低保政策", "房屋漏雨", False)
    f.visit(session, zhao, a, D(2019, 6, 20), "回访房屋维修情况", None, None)

    b = f.household(session, B_CODE, village=dongying, attribute="ordinary",
                    members=[{"name": "刘大山", "relation": "head", "born": D(1965, 5, 5)}])
    f.pairing(session, zhao, b, D(2019, 1, 1))

    c = f.household(session, C_CODE, village=chakou,
                    members=[{"name": "丁红梅", "relation": "head", "sex": "F", "born": D(1986, 4, 25)}])
    f.event(session, c, "identified", D(2016, 12, 31), year_only=True, standard="provincial", cause="no_labour")
    f.pairing(session, li, c, D(2016, 3, 1))
    f.pairing(session, qian, c, D(2014, 1, 1), D(2016, 3, 1), end_reason="轮换")
    f.income(session, c, 2018, wage=5000, transfer=1000)
    return {"a": a, "b": b, "c": c, "li": li, "zhao": zhao, "qian": qian, "secretary": secretary,
            "dongying": dongying, "chakou": chakou}
