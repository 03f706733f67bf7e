"""Resident ID numbers (身份证号, GB 11643) through python-stdnum's ``stdnum.cn.ric``.

Hard rules (an ID failing them is refused): 18 characters, 17 digits and a check digit 0-9 or X,
a real birth date not in the future, the right check digit. Whether the area code existed in the
birth year is only a plausibility hint: a person registered late carries a code that may not have
existed when they were born, so that is the warning ``id_area``, never a refusal (see docs/DOMAIN.md).
stdnum's ``validate`` folds the area check into the same error as a bad birth date, so its parts are
called one by one here.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from povmon.rules import dates

_LAST = frozenset("0123456789X")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


@dataclass(frozen=True)
class IdProblem:
    code: str  # id_as_number, id_format, id_birthdate, id_checksum, id_area
    message: str  # in Chinese, saying what to do

    @property
    def is_warning(self) -> bool:
        return self.code == "id_area"


@dataclass(frozen=True)
class IdCheck:
    """The outcome of checking one ID: the normalised number, an error, and warnings."""

    number: str | None
    error: IdProblem | None = None
    warnings: tuple[IdProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and self.number is not None


def normalize(raw: str) -> str:
    """Full-width digits and X become ASCII, every space goes, x becomes X."""
    text = unicodedata.normalize("NFKC", raw)
    return re.sub(r"\s+", "", text).upper()


def looks_like_number(raw: object) -> bool:
    """True when the cell held a number (or its scientific notation): Excel kept only 15 digits of it."""
    if isinstance(raw, bool):
        return False
    if isinstance(raw, (int, float)):
        return True
    return isinstance(raw, str) and bool(_SCIENTIFIC.match(normalize(raw)))


AS_NUMBER_MESSAGE = (
    "身份证号被当作数字保存，Excel 只保留15位有效数字，后几位已经丢失；"
    "请把该列设置为“文本”格式后重新录入身份证号"
)


def check(raw: object, today: dt.date | None = None) -> IdCheck:
    """Check one ID number as typed; never raises for bad input."""
    if isinstance(raw, str) and len(raw) == 18 and raw.isascii() and raw[:17].isdigit() and raw[17] in _LAST:
        number = raw  # already clean (the common case in a file of hundreds of thousands of IDs)
    else:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return IdCheck(None)
        if looks_like_number(raw):
            return IdCheck(None, IdProblem("id_as_number", AS_NUMBER_MESSAGE))
        number = normalize(str(raw))
    if len(number) != 18:
        return IdCheck(number, IdProblem("id_format", f"身份证号应为18位，这里是{len(number)}位"))
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        return IdCheck(number, IdProblem("id_format", "身份证号只能是17位数字加最后一位数字或X，请检查是否有其他字符"))
    try:
        birth = _birth(number)
    except ValueError:
        return IdCheck(number, IdProblem("id_birthdate", f"身份证号里的出生日期 {number[6:14]} 不是真实的日期"))
    if birth > (today or dt.date.today()) or birth.year < 1890:
        problem = IdProblem("id_birthdate", f"身份证号里的出生日期 {number[6:14]} 不可能（早于1890年或晚于今天）")
        return IdCheck(number, problem)
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        return IdCheck(
            number,
            IdProblem("id_checksum", f"身份证号校验位错误：最后一位应为 {expected}，这里是 {number[17]}；请核对原件"),
        )
    warnings: tuple[IdProblem, ...] = ()
    if not _area_known(number, birth.year):
        warnings = (
            IdProblem(
                "id_area",
                f"地区码 {number[:6]} 未知或在出生年份 {birth.year} 尚未启用（补录户口的号码可能如此），请核对",
            ),
        )
    return IdCheck(number, None, warnings)


_AREA_CACHE: dict[tuple[str, int], bool] = {}


def _area_known(number: str, year: int) -> bool:
    """Whether the area code was in use in the birth year (stdnum's table lookup, cached: imports check
    hundreds of thousands of IDs that share a few dozen area codes)."""
    key = (number[:6], year)
    known = _AREA_CACHE.get(key)
    if known is None:
        try:
            ric.get_birth_place(number)
            known = True
        except InvalidComponent:
            known = False
        _AREA_CACHE[key] = known
    return known


def area_name(code: str) -> str | None:
    """The name of the county (区/县/市) a 6-digit division code stands for today, from stdnum's location table;
    None when the table does not know the code. 141122 → 交城县; a retired code gives its last name."""
    from stdnum import numdb

    if len(code) < 6 or not code[:6].isdigit():
        return None
    info = {k: v for _part, props in numdb.get("cn/loc").info(code[:6]) for k, v in props.items()}
    names = info.get("county")
    if not names or code[2:6] == "0000":
        return None
    last = None
    for entry in names.split(","):
        if entry.startswith("["):
            period, name = entry[1:].split("]", 1)
            if period.endswith("-"):
                return name  # still in use
            last = name
        else:
            return entry
    return last


def area_current(code: str) -> bool:
    """Whether a 6-digit division code is in use today (141122 yes; 142323, 交城县 before 2003, no)."""
    from stdnum import numdb

    info = {k: v for _part, props in numdb.get("cn/loc").info(code[:6]) for k, v in props.items()}
    names = info.get("county") or ""
    return bool(names) and any(not e.startswith("[") or e[1:].split("]", 1)[0].endswith("-") for e in names.split(","))


def _birth(number: str) -> dt.date:
    # stdnum's get_birth_date does the same after re-cleaning the number, which costs more than the date itself
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def birth_date(number: str) -> dt.date:
    """The birth date written in a valid ID number."""
    try:
        return _birth(number)
    except ValueError:
        return ric.get_birth_date(number)  # raises stdnum's InvalidComponent, as before


def sex(number: str) -> str:
    """M or F from the sequence digit (odd for men, even for women)."""
    return "M" if int(number[16]) % 2 == 1 else "F"


def age_on(number: str, day: dt.date) -> int:
    """Age in whole years on a day."""
    return dates.age_on(birth_date(number), day)


def make(area: str, born: dt.date, sequence: int) -> str:
    """Build a valid ID number (for generated sample data and tests): area code, birth date, sequence."""
    body = f"{area}{born:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def mask(number: str | None) -> str | None:
    """141122********123X: area code and the last four, the birth date hidden."""
    if not number:
        return number
    if len(number) <= 10:
        return number[:2] + "*" * max(len(number) - 4, 0) + number[-2:]
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_phone(phone: str | None) -> str | None:
    """138****1234 for a mobile number; other numbers keep only their last four digits visible."""
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 11:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    if len(digits) > 4:
        return "*" * (len(digits) - 4) + digits[-4:]
    return "*" * len(digits)
