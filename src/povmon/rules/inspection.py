"""督查 (inspections): the kinds, what may be inspected, the categories of findings, and when a finding is
overdue — pure. A finding is rectified when it has a rectification; open past its deadline it is overdue; rectified
after its deadline it was late. An absence (不在岗) found on an unannounced check (明察暗访) is an unexcused absence
(缺勤) in the attendance record of that day (services.inspections writes it through services.attendance)."""

from __future__ import annotations

import datetime as dt

from povmon.rules.vocab import Term, Vocabulary

KIND = Vocabulary("inspection_kind", "督查方式", (
    Term("random", "不定期抽查", ("抽查", "随机抽查", "不定期")),
    Term("key", "重点督查", ("重点", "专项督查")),
    Term("unannounced", "明察暗访", ("暗访", "明查暗访", "暗查")),
))
TARGET = Vocabulary("inspection_target", "督查对象", (
    Term("team", "工作队", ("驻村工作队",)),
    Term("first_secretary", "第一书记", ("书记",)),
    Term("cadre", "干部", ("帮扶干部", "队员")),
    Term("village", "村", ("行政村",)),
    Term("project", "项目", ("帮扶项目",)),
    Term("household", "农户", ("户", "贫困户")),
))
CATEGORY = Vocabulary("finding_category", "问题类别", (
    Term("on_post", "在岗", ("驻村在岗", "脱岗")),
    Term("attendance", "考勤", ("请销假",)),
    Term("visits", "走访", ("走访调研",)),
    Term("project", "项目", ("项目建设",)),
    Term("effect", "帮扶成效", ("成效",)),
    Term("satisfaction", "群众满意度", ("满意度",)),
    Term("other", "其他", ("其它",)),
))
STATUS = Vocabulary("finding_status", "整改情况", (
    Term("open", "整改中"),
    Term("overdue", "逾期未整改"),
    Term("rectified", "已整改"),
    Term("late", "逾期整改"),
))


def status(deadline: dt.date | None, rectified_on: dt.date | None, today: dt.date) -> str:
    """open / overdue / rectified / late (rectified after the deadline), as of ``today``."""
    if rectified_on is not None and rectified_on <= today:
        return "late" if deadline is not None and rectified_on > deadline else "rectified"
    return "overdue" if deadline is not None and deadline < today else "open"
