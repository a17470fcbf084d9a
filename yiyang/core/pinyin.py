"""Pinyin for personal and organisation names, with surnames read as surnames.

pypinyin reads characters by their commonest reading, which is wrong for many surnames
(单 is "shan" as a surname, not "dan"; 曾 is "zeng", not "ceng"). Names are searched by
full pinyin and by initials, so the surname reading matters: an operator who types "zeng"
must find 曾小红.
"""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Compound surnames (复姓) first: they are matched before single characters.
COMPOUND_SURNAMES = {
    "欧阳": ["ou", "yang"],
    "司马": ["si", "ma"],
    "诸葛": ["zhu", "ge"],
    "上官": ["shang", "guan"],
    "尉迟": ["yu", "chi"],
    "万俟": ["mo", "qi"],
    "长孙": ["zhang", "sun"],
    "澹台": ["tan", "tai"],
    "皇甫": ["huang", "fu"],
    "令狐": ["ling", "hu"],
    "公孙": ["gong", "sun"],
    "慕容": ["mu", "rong"],
    "司徒": ["si", "tu"],
    "东方": ["dong", "fang"],
    "夏侯": ["xia", "hou"],
    "宇文": ["yu", "wen"],
    "单于": ["chan", "yu"],
    "呼延": ["hu", "yan"],
    "端木": ["duan", "mu"],
    "申屠": ["shen", "tu"],
    "轩辕": ["xuan", "yuan"],
    "闻人": ["wen", "ren"],
    "赫连": ["he", "lian"],
    "钟离": ["zhong", "li"],
    "宗政": ["zong", "zheng"],
    "濮阳": ["pu", "yang"],
    "公冶": ["gong", "ye"],
    "太叔": ["tai", "shu"],
}

# Single-character surnames whose surname reading differs from the commonest reading.
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "乐": "yue",
    "盖": "ge",
    "翟": "zhai",
    "覃": "qin",
    "缪": "miao",
    "秘": "bi",
    "种": "chong",
    "员": "yun",
    "召": "shao",
    "折": "she",
    "句": "gou",
    "华": "hua",
    "纪": "ji",
    "宁": "ning",
    "任": "ren",
    "繁": "po",
    "瞿": "qu",
    "祭": "zhai",
    "蕃": "pi",
    "訾": "zi",
    "眭": "sui",
    "冼": "xian",
    "洗": "xian",
    "过": "guo",
    "黑": "he",
    "藏": "zang",
    "贲": "ben",
    "隗": "wei",
    "尉": "yu",
    "沈": "shen",
    "石": "shi",
    "柏": "bai",
    "薄": "bo",
    "长": "chang",
    "重": "chong",
    "都": "du",
    "费": "fei",
    "葛": "ge",
    "莘": "shen",
    "燕": "yan",
    "应": "ying",
    "便": "pian",
    "卜": "bu",
    "车": "che",
    "哈": "ha",
    "阚": "kan",
    "谌": "chen",
    "郇": "xun",
    "逄": "pang",
}


def _split_surname(name: str) -> tuple[list[str], str]:
    if name[:2] in COMPOUND_SURNAMES:
        return list(COMPOUND_SURNAMES[name[:2]]), name[2:]
    if name[:1] in SURNAME_READINGS:
        return [SURNAME_READINGS[name[0]]], name[1:]
    return [], name


@lru_cache(maxsize=200_000)
def name_syllables(name: str, *, is_person: bool = True) -> tuple[str, ...]:
    name = "".join(name.split())
    if not name:
        return ()
    head, rest = _split_surname(name) if is_person else ([], name)
    # Letters and digits the name carries stay as they are; a character pypinyin has no
    # reading for (a rare CJK character such as 瓰) is left out, so the search keys stay ASCII.
    tail = lazy_pinyin(
        rest,
        style=Style.NORMAL,
        errors=lambda chars: [c.lower() for c in chars if c.isascii() and c.isalnum()],
    )
    return tuple(s.lower() for s in head + [t for t in tail if t.strip()])


def name_pinyin(name: str, *, is_person: bool = True) -> str:
    """Full pinyin without tones or spaces: 曾小红 -> 'zengxiaohong'."""
    return "".join(name_syllables(name, is_person=is_person))


def name_initials(name: str, *, is_person: bool = True) -> str:
    """First letters: 曾小红 -> 'zxh'."""
    return "".join(s[0] for s in name_syllables(name, is_person=is_person) if s)


def looks_like_pinyin(query: str) -> bool:
    return bool(query) and query.isascii() and query.replace(" ", "").isalpha()
