"""The standards file's own pseudo-code (§1.7, §2.7, §4), written out independently of the data files.

Tests compare the data-driven engine with these, so a typo in a JSON band or matrix cell fails.
"""

LTC_ADL_BANDS = [(100, 100, 0), (65, 95, 1), (45, 60, 2), (0, 40, 3)]
LTC_COG_BANDS = [(16, 16, 0), (12, 15, 1), (4, 11, 2), (0, 3, 3)]
LTC_PER_BANDS = [(12, 12, 0), (8, 11, 1), (4, 7, 2), (0, 3, 3)]
LTC_MATRIX = [[0, 0, 1, 1], [1, 1, 1, 2], [2, 2, 2, 3], [3, 3, 4, 5]]
LTC_GRADE_LABEL = ["基本正常", "轻度失能", "中度失能", "重度失能Ⅰ级", "重度失能Ⅱ级", "重度失能Ⅲ级"]
LTC_FORMS = {
    "ADL": [f"ADL{n}" for n in range(1, 11)],
    "COG": [f"COG{n}" for n in range(1, 5)],
    "PER": [f"PER{n}" for n in range(1, 4)],
}

GBT_BANDS = [(90, 90, 0), (66, 89, 1), (46, 65, 2), (30, 45, 3), (0, 29, 4)]
GBT_LABEL = [
    "能力完好",
    "能力轻度受损（轻度失能）",
    "能力中度受损（中度失能）",
    "能力重度受损（重度失能）",
    "能力完全丧失（完全失能）",
]
GBT_FORMS = {
    "B1": [f"B1.{n}" for n in range(1, 9)],
    "B2": [f"B2.{n}" for n in range(1, 5)],
    "B3": [f"B3.{n}" for n in range(1, 10)],
    "B4": [f"B4.{n}" for n in range(1, 6)],
}

BARTHEL_BANDS = [(100, 100, 0), (61, 99, 1), (41, 60, 2), (0, 40, 3)]


def band(score, bands):
    return next(level for lo, hi, level in bands if lo <= score <= hi)


def grade_ltc2021(items):
    adl = sum(items[i] for i in LTC_FORMS["ADL"])
    cog = sum(items[i] for i in LTC_FORMS["COG"])
    per = sum(items[i] for i in LTC_FORMS["PER"])
    a, c, p = band(adl, LTC_ADL_BANDS), band(cog, LTC_COG_BANDS), band(per, LTC_PER_BANDS)
    return LTC_MATRIX[a][max(c, p)]


def grade_gbt42195(items, *, coma=False, diagnoses=(), risk_events=None):
    total = sum(items.values())
    initial = band(total, GBT_BANDS)
    if coma:
        return 4
    dx = any(code.upper().startswith("F") and code[1:3].isdigit() for code in diagnoses)
    rsk = sum((risk_events or {}).values()) >= 2
    return min(4, initial + (1 if (dx or rsk) else 0))


MZT_ADL_BANDS = [(100, 100, 0), (65, 95, 1), (45, 60, 2), (0, 40, 3)]
MZT_MENTAL_BANDS = [(0, 0, 0), (1, 1, 1), (2, 3, 2), (4, 6, 3)]
MZT_SOCIAL_BANDS = [(0, 2, 0), (3, 7, 1), (8, 13, 2), (14, 20, 3)]
MZT_FORMS = {
    "A": [f"MZ1.{n}" for n in range(1, 11)],
    "M": [f"MZ2.{n}" for n in range(1, 4)],
    "P": [f"MZ3.{n}" for n in range(1, 5)],
    "S": [f"MZ4.{n}" for n in range(1, 6)],
}


def mzt_perception_level(consciousness, vision, hearing, talk):
    c, worst_sense = consciousness, max(vision, hearing)
    if (c in (0, 1) and (worst_sense == 4 or talk == 3)) or c >= 2:
        return 3
    if (c == 0 and (worst_sense == 3 or talk == 2)) or (c == 1 and worst_sense <= 3 and talk <= 2):
        return 2
    if c == 0 and (worst_sense == 2 or talk == 1):
        return 1
    assert c == 0 and worst_sense <= 1 and talk == 0
    return 0


def mzt_preliminary(a, m, p, s):
    """§3's four rules, severest first, with the notes' gap fills."""
    others = [m, p, s]
    if a == 3 or a == m == p == s == 2 or (a == 2 and 3 in others):
        return 3
    if a == 1 and (others == [2, 2, 2] or 3 in others):
        return 2
    if a == 2:  # 1–2 of M, P, S in {1, 2}, and the gap fills (all 0; all in {1, 2} not all 2)
        return 2
    if (a == 0 and (m >= 1 or p >= 1 or s == 2)) or (a == 1 and any(x <= 1 for x in others)):
        return 1
    if a == m == p == 0 and s <= 1:
        return 0
    assert a == m == p == 0 and s == 3  # gap fill
    return 1


def grade_mzt039(items, *, diagnoses=(), risk_events=None):
    def total(form):
        return sum(items[i] for i in MZT_FORMS[form])

    if items["MZ3.1"] == 3:  # 昏迷
        return 3
    a = band(total("A"), MZT_ADL_BANDS)
    m = band(total("M"), MZT_MENTAL_BANDS)
    p = mzt_perception_level(*(items[i] for i in MZT_FORMS["P"]))
    s = band(total("S"), MZT_SOCIAL_BANDS)
    initial = mzt_preliminary(a, m, p, s)
    dx = any(code.upper().startswith("F") for code in diagnoses)
    rsk = sum((risk_events or {}).values()) >= 2
    return min(3, initial + (1 if (dx or rsk) else 0))
