"""Reading values as clerks type them: amounts, counts, years, dates and vocabulary terms.

Each parser returns the clean value (None for an empty cell) or raises ValueProblem with the
error code of docs/CONTRACTS.md and a message in Chinese that says what is accepted. The importer and
the data-entry commands use these same functions, so a value is judged the same way everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from povmon.rules.money import as_decimal, to_fen
from povmon.rules.text import clean_text, excerpt, fold, shown
from povmon.rules.vocab import Vocabulary, parse_bool


class ValueProblem(ValueError):
    """A value that cannot be used: code (bad_number, bad_date, bad_value, …) and a Chinese message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d*)?|-?\.\d+")  # 1234, 1234.5, -3.00; no exponent, no words
_AMOUNT_SUFFIX = re.compile(r"(元|块|rmb|￥|¥|yuan)$", re.IGNORECASE)
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_MONTH_PATTERNS = (re.compile(r"^(\d{4})[-./](\d{1,2})$"), re.compile(r"^(\d{4})年(\d{1,2})月?$"))
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CJK_SPACES = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def is_blank(value: object) -> bool:
    """An empty cell: None, or text of nothing but spaces."""
    return value is None or (isinstance(value, str) and not value.strip())


def _limit(text: str | None, limit: int | None) -> str | None:
    if limit is not None and text is not None and len(text) > limit:
        raise ValueProblem("bad_value", f"最多{limit}个字，这里有{len(text)}个")
    return text


def text(value: object, limit: int | None = None) -> str | None:
    """Free text, stray spaces removed, at most ``limit`` characters; a number or date cell as it was shown."""
    if isinstance(value, (float, dt.date)):
        return _limit(shown(value), limit)
    return _limit(clean_text(value), limit)


def name(value: object, limit: int | None = None) -> str | None:
    """A person's name: free text, and 张  三 (spaces typed to align two-character names) is 张三."""
    result = text(value)
    if result and " " in result:
        result = _CJK_SPACES.sub("", result)
    return _limit(result, limit)


# what separates the names of a path (西营镇/东营村, 交城县>西营镇): never part of an area's own name
AREA_SEPARATORS = re.compile(r"\s*[/／>＞]\s*")
AREA_NAME_LIMIT = 100


def area_name(value: object) -> str | None:
    """The name of a county, township or village: text of at most 100 characters, without / or >.

    The one rule for an area's name, whether ``area add`` names it or an import creates it: a name with a
    path separator could never be found again by its path.
    """
    result = text(value)
    if result and AREA_SEPARATORS.search(result):
        raise ValueProblem("bad_value", f"名称“{result}”里不能有 / 或 >")
    return _limit(result, AREA_NAME_LIMIT)


def code(value: object, limit: int | None = None) -> str | None:
    """户编号 and other codes: text without spaces, upper case; a number cell is accepted while it is exact."""
    if isinstance(value, bool):
        raise ValueProblem("bad_value", "编号不能是是/否")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueProblem("bad_value", f"“{excerpt(shown(value))}”不是编号；请把该列设为文本后重新录入")
        if abs(value) >= 1e15:  # 16 digits and more: Excel kept only 15 of them
            raise ValueProblem(
                "bad_value",
                "编号被当作数字保存，Excel 只保留15位有效数字，末几位可能已经丢失；请把该列设置为“文本”格式后重新录入",
            )
        return _limit(str(int(value)), limit)
    if isinstance(value, int):
        return _limit(str(value), limit)
    if value is None:
        return None
    return _limit(fold(str(value)).upper() or None, limit)


def phone(value: object, limit: int | None = None) -> str | None:
    """A phone number: digits as typed, spaces removed; a number cell keeps its digits."""
    if isinstance(value, float) and value.is_integer():
        return _limit(str(int(value)), limit)
    result = clean_text(value)
    return _limit(re.sub(r"\s+", "", result) if result else None, limit)


def amount(value: object, *, blank_is_zero: bool = True) -> Decimal | None:
    """An amount in yuan: 1,234.50, 3000元, ¥12, a number cell; blank is 0 unless told otherwise.

    Amounts are never negative: an expense has its own column (生产经营性支出) and money paid back is
    described in a note, so a minus sign is a typing mistake.
    """
    if is_blank(value):
        return Decimal("0.00") if blank_is_zero else None
    if isinstance(value, bool):
        raise ValueProblem("bad_number", "这里应填金额（数字），不是是/否")
    if isinstance(value, float):
        # a cell's binary float may carry noise (1234.5600000000002) but not a third decimal typed by a clerk
        if abs(value * 100 - round(value * 100)) > 1e-6 * max(1.0, abs(value)):
            raise ValueProblem("bad_number", f"“{value!r}”有两位以上小数；金额精确到分，请改为两位小数")
        result = to_fen(as_decimal(value))
    elif isinstance(value, (int, Decimal)):
        result = _fen_exact(as_decimal(value), value)
    else:
        text = fold(str(value)).replace(",", "").replace("，", "")
        text = _AMOUNT_SUFFIX.sub("", text).lstrip("¥￥")
        if not _PLAIN_NUMBER.fullmatch(text):
            raise ValueProblem("bad_number", f"“{excerpt(value)}”不是金额；请填写数字，如 1234.50 或 3000元")
        result = _fen_exact(Decimal(text), value)
    if result < 0:
        raise ValueProblem("bad_number",
                           f"“{excerpt(shown(value))}”是负数；金额都填正数（经营支出单列，退回的款项请在备注中说明）")
    return result


def _fen_exact(number: Decimal, raw: object) -> Decimal:
    """An amount that is exact to the fen; more decimals would be silently lost, so they are refused."""
    if number != number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP):
        raise ValueProblem("bad_number", f"“{excerpt(raw)}”有两位以上小数；金额精确到分，请改为两位小数")
    return to_fen(number)


def decimal2(value: object) -> Decimal | None:
    """A quantity with two decimals (亩); blank stays None."""
    if is_blank(value):
        return None
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return to_fen(as_decimal(value))
    text = fold(str(value)).replace(",", "").removesuffix("亩")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueProblem("bad_number", f"“{excerpt(value)}”不是数字；请填写数字，如 3.5") from None
    return to_fen(result)


def _whole(value: object, trim) -> int | None:
    """A whole number from a number cell or from text (folded, then ``trim`` takes off what may follow the
    number: 人, 年); None when it is not one (3.5, 三, 是)."""
    if isinstance(value, bool):
        return None
    try:
        number = as_decimal(value) if isinstance(value, (int, float, Decimal)) else Decimal(trim(fold(str(value))))
    except (ValueError, InvalidOperation):
        return None
    if not number.is_finite() or number != number.to_integral_value():
        return None
    return int(number)


def integer(value: object, *, low: int | None = None, high: int | None = None, unit: str = "") -> int | None:
    """A whole number (人, 个月); blank stays None; 3.0 is 3, 3.5 is refused."""
    if is_blank(value):
        return None
    result = _whole(value, lambda text: text.replace(",", "").removesuffix(unit))
    if result is None:
        raise ValueProblem("bad_number", f"“{excerpt(value)}”不是整数；请填写整数")
    if (low is not None and result < low) or (high is not None and result > high):
        raise ValueProblem("bad_number", f"“{excerpt(value)}”超出范围（应在 {low} 到 {high} 之间）")
    return result


def year(value: object) -> int | None:
    """A year: 2016, 2016年, 2016.0 or a date (its year); blank stays None."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.year
    if isinstance(value, dt.date):
        return value.year
    result = _whole(value, lambda text: text.removesuffix("年度").removesuffix("年"))
    if result is None:
        raise ValueProblem("bad_date", f"“{excerpt(value)}”不是年份；请填写四位年份，如 2016")
    if not 1949 <= result <= 2100:
        raise ValueProblem("bad_date", f"“{excerpt(value)}”不是合理的年份；请填写四位年份，如 2016")
    return result


def date(value: object) -> dt.date | None:
    """A date: a date cell, 2016-03-01, 2016.3.1, 2016/3/1, 2016年3月1日, 20160301; blank stays None."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 20000 < value < 80000:
        # an Excel serial day number in a cell not formatted as a date
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    text = fold(str(value))
    text = re.sub(r"(\d)(00:00(:00)?)$", r"\1", text)  # '2016-03-0100:00:00' after folding spaces
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                break
    raise ValueProblem("bad_date", f"“{excerpt(value)}”不是日期；请填写如 2016-03-01、2016.3.1 或 2016年3月1日")


def date_or_year(value: object) -> tuple[dt.date | None, bool]:
    """A date, or a bare year meaning 31 December of it; returns (date, year_only)."""
    if is_blank(value):
        return None, False
    if isinstance(value, (dt.date, dt.datetime)):
        return date(value), False
    try:
        y = year(value)
    except ValueProblem:
        return date(value), False
    if y is None:
        return None, False
    return year_end(y), True


def month(value: object) -> tuple[int, int]:
    """A month YYYY-MM (also 2019.1, 2019年1月, a date); returns (year, month)."""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.year, value.month
    text = fold(str(value or ""))
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match and 1 <= int(match[2]) <= 12:
            return int(match[1]), int(match[2])
    raise ValueProblem("bad_date", f"“{excerpt(value)}”不是月份；请写成 YYYY-MM，如 2019-01")


def year_end(y: int) -> dt.date:
    """A year-only date means 31 December of that year."""
    return dt.date(y, 12, 31)


def month_end(y: int, m: int) -> dt.date:
    """The last day of a month."""
    first_next = dt.date(y + (m == 12), m % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def term(vocab: Vocabulary, value: object, *, required: bool = False) -> str | None:
    """A vocabulary code from any accepted form; bad_value names the accepted labels."""
    if is_blank(value):
        if required:
            raise ValueProblem("required_missing", f"{vocab.title}不能为空；可填：{vocab.accepted()}")
        return None
    code = vocab.lookup(value)
    if code is None:
        raise ValueProblem("bad_value",
                           f"“{excerpt(clean_text(value))}”不是有效的{vocab.title}；可填：{vocab.accepted()}")
    return code


def terms(vocab: Vocabulary, value: object, *, limit: int | None = None) -> list[str]:
    """Several vocabulary codes in one cell, separated by 、，,;； or spaces."""
    if is_blank(value):
        return []
    parts = [p for p in re.split(r"[、，,;；/\s]+", str(value).strip()) if p]
    codes = []
    for part in parts:
        code = term(vocab, part)
        if code and code not in codes:
            codes.append(code)
    if limit is not None and len(codes) > limit:
        raise ValueProblem("bad_value", f"{vocab.title}最多填{limit}项，这里有{len(codes)}项")
    return codes


def boolean(value: object, title: str = "") -> bool | None:
    """是/否 and its many spellings; blank stays None."""
    if is_blank(value):
        return None
    result = parse_bool(value)
    if result is None:
        raise ValueProblem("bad_value", f"“{excerpt(clean_text(value))}”不是有效的{title or '是否'}；请填 是 或 否")
    return result
