import pytest

from povmon.rules import vocab
from povmon.rules.text import fold


@pytest.mark.parametrize("name", sorted(vocab.ALL))
def test_every_code_label_and_alias_finds_its_term(name):
    v = vocab.ALL[name]
    assert v.terms, name
    for term in v.terms:
        for form in (term.code, term.label, *term.aliases):
            assert v.lookup(form) == term.code, (name, form)
            assert v.lookup(f"  {form} ") == term.code, (name, form)
        assert v.label(term.code) == term.label


@pytest.mark.parametrize("name", sorted(vocab.ALL))
def test_unknown_values_are_not_guessed(name):
    v = vocab.ALL[name]
    assert v.lookup("邻居") is None or name == "ethnicity"
    assert v.lookup("") is None
    assert v.lookup(None) is None


def test_relation_aliases_from_the_issue():
    assert vocab.RELATION.lookup("儿子") == "son"
    assert vocab.RELATION.lookup("妻子") == "spouse"
    assert vocab.RELATION.lookup("丈夫") == "spouse"
    assert vocab.RELATION.lookup("子") == "son"  # the form without 之
    assert vocab.RELATION.lookup("孙女") == "granddaughter"
    assert vocab.RELATION.lookup("邻居") is None


def test_full_width_and_half_width_brackets_are_the_same():
    assert vocab.WORK.lookup("乡(镇)内务工") == "in_township"
    assert vocab.WORK.lookup("乡（镇）外县内务工") == "in_county"
    assert fold("乡（镇）") == fold("乡(镇)")


@pytest.mark.parametrize(
    "value, code",
    [("小学三年级", "primary"), ("小学6年级", "primary"), ("初中二年级", "junior"), ("八年级", "junior"),
     ("高中一年级", "senior"), ("中职二年级", "secondary_vocational"), ("大学三年级", "college"),
     ("非在校生", "not_student"), ("幼儿园", "preschool")],
)
def test_grade_level_school_status_maps_to_its_stage(value, code):
    assert vocab.SCHOOL_STATUS.lookup(value) == code


@pytest.mark.parametrize(
    "value, expected",
    [("是", True), ("否", False), ("√", True), ("×", False), ("Y", True), ("n", False), ("有", True),
     ("无", False), (1, True), (0, False), (True, True), ("已参保", True), ("maybe", None), (None, None)],
)
def test_yes_no(value, expected):
    assert vocab.parse_bool(value) is expected


def test_statuses_and_monitoring_types_use_contract_codes():
    assert vocab.STATUS.codes() == ["poor", "exited", "returned", "non_poor"]
    assert vocab.MONITORING_TYPE.codes() == ["unstable", "near_poor", "hardship"]
    assert vocab.STATUS.lookup("已脱贫（享受政策）") == "exited"


def test_accepted_lists_labels_for_messages():
    assert "户主" in vocab.RELATION.accepted() and "之子" in vocab.RELATION.accepted()


def test_domain_lists_are_complete():
    assert len(vocab.CAUSE.terms) == 11
    assert len(vocab.RISK.terms) == 13  # twelve named risks and 其他
    assert vocab.ETHNICITY.lookup("汉") == "汉族"
    assert len(vocab.ETHNICITY.terms) == 57
