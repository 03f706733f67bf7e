import datetime as dt

import pytest

from povmon.rules import idcard


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("360426199101010071", "360426199101010071"),  # python-stdnum's own example
        ("142323198602275491", "142323198602275491"),
        ("１４２３２３１９８６０２２７５４９１", "142323198602275491"),  # full-width digits
        (" 1423 2319 8602 2754 91 ", "142323198602275491"),  # inner and outer spaces
        ("\u3000142323198602275491\u3000", "142323198602275491"),  # ideographic spaces
        ("14232319530208645x", "14232319530208645X"),  # lower-case x
        ("14232319530208645ｘ", "14232319530208645X"),  # full-width x
    ],
)
def test_normalizes_and_accepts(raw, expected):
    result = idcard.check(raw)
    assert result.ok, result.error
    assert result.number == expected


@pytest.mark.parametrize(
    "raw, code",
    [
        ("14232319860227549", "id_format"),  # 17 characters
        ("1423231986022754911", "id_format"),  # 19
        ("14232319860227549A", "id_format"),
        ("1423231986O227549X", "id_format"),  # letter O typed for zero
        ("142323198602305491", "id_birthdate"),  # 30 February
        ("142323299901015491", "id_birthdate"),  # born in the future
        ("142323197402193070", "id_checksum"),  # the example roster's bad row
        ("360426199101010072", "id_checksum"),
        (142323198602275491, "id_as_number"),
        (1.42323198602275e17, "id_as_number"),
        ("1.42323E+17", "id_as_number"),
    ],
)
def test_refuses_with_the_contract_code(raw, code):
    result = idcard.check(raw)
    assert not result.ok
    assert result.error.code == code
    assert result.error.message  # a sentence for the clerk


def test_length_message_counts_characters():
    assert idcard.check("14112219800101123").error.message == "身份证号应为18位，这里是17位"


def test_id_as_number_tells_what_to_do():
    assert "文本" in idcard.check(142323198602275000).error.message


def test_area_code_not_in_use_in_birth_year_is_only_a_warning():
    # 141122 is 交城县's code since 2003: a person born in 1980 carrying it was registered late.
    number = idcard.make("141122", dt.date(1980, 1, 1), 123)
    result = idcard.check(number)
    assert result.ok
    assert [w.code for w in result.warnings] == ["id_area"]
    # 142323 (the code until 2003) is plausible for 1980 and gives no warning
    assert idcard.check(idcard.make("142323", dt.date(1980, 1, 1), 123)).warnings == ()
    # an unknown area code: still a warning, not a refusal
    unknown = idcard.check(idcard.make("999999", dt.date(1980, 1, 1), 1))
    assert unknown.ok and unknown.warnings[0].code == "id_area"


def test_blank_is_not_an_error_here():
    assert idcard.check(None).number is None and idcard.check(None).error is None
    assert idcard.check("  ").error is None


def test_birth_date_sex_and_age_from_the_number():
    number = "14232319530208645X"
    assert idcard.birth_date(number) == dt.date(1953, 2, 8)
    assert idcard.sex(number) == "M"  # sequence 645: odd
    assert idcard.sex("142323195401172185") == "F"  # 218: even
    assert idcard.age_on(number, dt.date(2019, 2, 7)) == 65
    assert idcard.age_on(number, dt.date(2019, 2, 8)) == 66


def test_make_builds_valid_numbers():
    for seq in range(0, 1000, 37):
        assert idcard.check(idcard.make("141122", dt.date(2010, 6, 30), seq)).ok


def test_masking():
    assert idcard.mask("14112219800101123X") == "141122********123X"
    assert idcard.mask_phone("13812341234") == "138****1234"
    assert idcard.mask_phone("3581234") == "***1234"
    assert idcard.mask(None) is None
