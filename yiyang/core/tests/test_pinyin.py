import pytest
from hypothesis import given
from hypothesis import strategies as st

from yiyang.core.pinyin import name_initials, name_pinyin


@pytest.mark.parametrize(
    ("name", "pinyin", "initials"),
    [
        ("单田芳", "shantianfang", "stf"),
        ("曾小红", "zengxiaohong", "zxh"),
        ("解缙", "xiejin", "xj"),
        ("区家麟", "oujialin", "ojl"),
        ("查良镛", "zhaliangyong", "zly"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("翟志刚", "zhaizhigang", "zzg"),
        ("张三", "zhangsan", "zs"),
        ("李 明", "liming", "lm"),
    ],
)
def test_surnames_are_read_as_surnames(name, pinyin, initials):
    assert name_pinyin(name) == pinyin
    assert name_initials(name) == initials


def test_organisation_names_are_not_read_as_surnames():
    assert name_pinyin("单位食堂", is_person=False).startswith("dan")


@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=6
    )
)
def test_initials_are_the_first_letters_of_the_full_pinyin(name):
    full = name_pinyin(name)
    initials = name_initials(name)
    # one initial per character with a reading; a character without one is left out
    readable = [c for c in name if name_pinyin(c, is_person=False)]
    assert full == "" or (full.isascii() and full.isalpha())
    assert len(initials) == len(readable)
    if initials:
        assert full.startswith(initials[0])


def test_a_character_without_a_reading_is_left_out_of_the_search_keys():
    # 瓰 (U+74F0) has no reading in pypinyin: the keys stay ASCII and keep the rest
    assert name_pinyin("王瓰华") == "wanghua"
    assert name_initials("王瓰华") == "wh"
    assert name_pinyin("瓰") == ""
