"""The columns of the Excel templates: one list per kind of data.

The Chinese header is part of the file format (districts fill these sheets in and know them by
these names), so it is written here as data, not as a translatable string; the explanations on
the instructions sheet are translatable. Row 1 holds the headers (a trailing * marks a required
column), row 2 the English field keys and is hidden, and data starts on row 3. The importer
finds columns by key when row 2 is present and by header otherwise, so columns may be
reordered, and extra columns (such as those of the error workbook) are ignored.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from yiyang.assessment.grading import instrument_ids

TEXT = "text"
ID_NUMBER = "id_number"
REGION = "region"
DECIMAL = "decimal"
INTEGER = "integer"
BOOL = "bool"
DATE = "date"
CHOICE = "choice"

YES, NO = "是", "否"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    type: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label in the file)
    default: str = ""
    help: Promise | str = ""
    width: int = 14
    # Cleaner error keys reported under this column (the key itself is always one).
    fields: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.header}*" if self.required else self.header

    @property
    def labels(self) -> list[str]:
        if self.type == BOOL:
            return [YES, NO]
        return [label for _value, label in self.choices]

    def reports(self, field: str) -> bool:
        return field == self.key or field in self.fields


ECONOMIC = (("tekun", "特困"), ("dibao", "低保"), ("low_income", "低收入"), ("ordinary", "普通"))
INSURANCE = (("employee", "职工医保"), ("resident", "居民医保"), ("none", "无"))
LIVING = (("home", "居家"), ("community", "社区"), ("institution", "机构"))
RELATION = (
    ("spouse", "配偶"),
    ("child", "子女"),
    ("child_in_law", "儿媳/女婿"),
    ("grandchild", "孙辈"),
    ("sibling", "兄弟姐妹"),
    ("relative", "其他亲属"),
    ("neighbour", "邻居"),
    ("community", "社区工作者"),
    ("other", "其他"),
)
ORG_KIND = (
    ("care_home", "养老机构"),
    ("community_centre", "街道养老服务中心"),
    ("community_station", "社区养老服务站"),
    ("home_care", "居家养老服务机构"),
    ("medical", "医疗机构"),
    ("assessment", "评估机构"),
    ("bureau", "政府部门"),
)
OWNERSHIP = (("public", "公办"), ("private", "民办"))
CATEGORY = (
    ("meal", "助餐"),
    ("cleaning", "助洁"),
    ("bathing", "助浴"),
    ("escort", "陪同就医"),
    ("rehab", "康复"),
    ("nursing", "护理"),
    ("comfort", "精神慰藉"),
    ("emergency", "紧急救援"),
    ("life_care", "长护险生活照料"),
    ("medical_care", "长护险医疗护理"),
    ("other", "其他"),
)

PHONE_HELP = _("Digits, at least 7; a landline may have an area code and a hyphen.")

ELDER_COLUMNS = (
    Column("name", "姓名", required=True, help=_("Full name as on the ID card."), width=10),
    Column(
        "id_number",
        "身份证号",
        ID_NUMBER,
        required=True,
        help=_(
            "18-character national ID number, entered as text. Birth date and sex are taken "
            "from it. A number already on record updates that person instead of adding them."
        ),
        width=22,
        fields=("birth_date", "sex"),
    ),
    Column(
        "region_code",
        "社区(村)代码",
        REGION,
        required=True,
        help=_(
            "12-digit statistical code of the community or village (see the code sheet); "
            "it must lie inside your region."
        ),
        width=16,
        fields=("region",),
    ),
    Column("address", "地址", required=True, help=_("Home address."), width=28),
    Column("phone", "电话", help=PHONE_HELP, width=14),
    Column("ethnicity", "民族", default="汉族", help=_("Empty means 汉族."), width=8),
    Column(
        "lat", "纬度", DECIMAL, help=_("Decimal degrees, 3 to 54; empty takes the community's.")
    ),
    Column(
        "lng", "经度", DECIMAL, help=_("Decimal degrees, 73 to 136; empty takes the community's.")
    ),
    Column("lives_alone", "独居", BOOL, help=_("是 or 否; empty means 否."), width=8),
    Column("empty_nest", "空巢", BOOL, help=_("是 or 否; empty means 否."), width=8),
    Column(
        "special_family", "计划生育特殊家庭", BOOL, help=_("是 or 否; empty means 否."), width=10
    ),
    Column(
        "economic_status",
        "经济状况",
        CHOICE,
        choices=ECONOMIC,
        default="ordinary",
        help=_("Empty means 普通."),
        width=10,
    ),
    Column(
        "insurance",
        "医保类型",
        CHOICE,
        choices=INSURANCE,
        default="resident",
        help=_("Empty means 居民医保."),
        width=10,
    ),
    Column(
        "living_arrangement",
        "居住方式",
        CHOICE,
        choices=LIVING,
        default="home",
        help=_("Empty means 居家. 机构 requires the institution's credit code."),
        width=10,
    ),
    Column(
        "institution_credit_code",
        "机构信用代码",
        help=_(
            "Unified social credit code of the care home or day-care centre the person "
            "lives in or attends (for 机构 and 社区)."
        ),
        width=22,
        fields=("institution",),
    ),
    Column(
        "guardian_name",
        "监护人姓名",
        help=_("One guardian or emergency contact; leave the three columns empty if none."),
        width=10,
    ),
    Column(
        "guardian_relation",
        "监护人关系",
        CHOICE,
        choices=RELATION,
        help=_("Relation of the guardian to the older person."),
        width=10,
    ),
    Column("guardian_phone", "监护人电话", help=PHONE_HELP, width=14),
    Column(
        "chronic_conditions",
        "慢性病",
        help=_("Chronic conditions. Health data: empty leaves what is on record."),
        width=16,
    ),
    Column("medications", "用药", help=_("Regular medications."), width=16),
    Column("allergies", "过敏", help=_("Allergies."), width=12),
)

ORGANISATION_COLUMNS = (
    Column("name", "名称", required=True, help=_("Registered name."), width=24),
    Column(
        "credit_code",
        "统一社会信用代码",
        help=_(
            "18 characters with a check character. A code already on record updates that "
            "organisation; without a code, the name and region identify it."
        ),
        width=22,
    ),
    Column("kind", "类型", CHOICE, required=True, choices=ORG_KIND, width=18),
    Column("ownership", "公办/民办", CHOICE, required=True, choices=OWNERSHIP, width=10),
    Column(
        "region_code",
        "区划代码",
        REGION,
        required=True,
        help=_("Code of the district, street or community (see the code sheet)."),
        width=16,
        fields=("region",),
    ),
    Column("address", "地址", width=28),
    Column("lat", "纬度", DECIMAL, help=_("Decimal degrees, 3 to 54.")),
    Column("lng", "经度", DECIMAL, help=_("Decimal degrees, 73 to 136.")),
    Column("land_area", "用地面积(㎡)", DECIMAL, help=_("Square metres.")),
    Column("floor_area", "建筑面积(㎡)", DECIMAL, help=_("Square metres.")),
    Column("beds", "床位", INTEGER, help=_("Number of beds (care homes)."), width=8),
    Column(
        "has_medical_agreement",
        "医养结合协议",
        BOOL,
        help=_("是 if the organisation has a medical-care cooperation agreement."),
        width=10,
    ),
    Column("licence_number", "许可证号", help=_("Licence or filing number."), width=18),
    Column("licence_valid_from", "许可起始日期", DATE, help=_("A date such as 2024-01-31.")),
    Column("licence_valid_to", "许可截止日期", DATE, help=_("Not before the start date.")),
    Column("contact_name", "联系人", width=10),
    Column("contact_phone", "联系电话", help=PHONE_HELP, width=14),
)

SERVICE_ITEM_COLUMNS = (
    Column(
        "code",
        "编码",
        required=True,
        help=_(
            "Item code: letters, digits, dots, hyphens, underscores. A code already on "
            "record updates that item."
        ),
        width=12,
    ),
    Column("name", "名称", required=True, width=20),
    Column("category", "类别", CHOICE, required=True, choices=CATEGORY, width=14),
    Column("unit", "单位", required=True, help=_("Such as 次, 小时, 餐."), width=8),
    Column(
        "duration_minutes",
        "时长(分钟)",
        INTEGER,
        required=True,
        help=_("Whole minutes, 1 or more."),
        width=10,
    ),
    Column(
        "price",
        "指导价(元)",
        DECIMAL,
        required=True,
        help=_("Yuan, 0 or more, at most two decimal places."),
        width=10,
    ),
    Column("qualification", "资质要求", help=_("Certificate the caregiver must hold."), width=16),
    Column(
        "is_ltci", "长护险项目", BOOL, help=_("是 for a long-term-care insurance item."), width=10
    ),
    Column("description", "说明", width=30),
)

# The installed definitions, by the file name the engine loads them by (ltc-2021, ...).
INSTRUMENTS = tuple((i, i) for i in instrument_ids())

ASSESSMENT_COLUMNS = (
    Column(
        "id_number",
        "身份证号",
        ID_NUMBER,
        required=True,
        help=_("ID number of an older person already on record in your region."),
        width=22,
    ),
    Column(
        "instrument",
        "评估标准",
        CHOICE,
        required=True,
        choices=INSTRUMENTS,
        help=_(
            "The standard the conclusion was made under: ltc-2021, gbt-42195-2022, or the "
            "legacy mzt-039-2013 and barthel. The version written as MZ/T 039-2013 or "
            "GB/T 42195-2022 is also accepted."
        ),
        width=16,
    ),
    Column(
        "concluded_on",
        "结论日期",
        DATE,
        required=True,
        help=_(
            "The day the conclusion was made, not after today. The same person, standard "
            "and day name the same conclusion: importing it again updates it."
        ),
    ),
    Column(
        "valid_from", "有效期起", DATE, required=True, help=_("First day the conclusion is valid.")
    ),
    Column(
        "valid_to",
        "有效期止",
        DATE,
        help=_(
            "Last day the conclusion is valid, not before the first. Required except for "
            "mzt-039-2013 and barthel, which may be open-ended."
        ),
    ),
    Column(
        "grade",
        "等级",
        help=_(
            "The grade as a number (0, 1, 2, …) or as the standard writes it (重度失能Ⅰ级). "
            "May be left empty when the item scores are given; when both are given they "
            "must agree."
        ),
        width=12,
    ),
    Column(
        "item_scores",
        "各项得分",
        help=_(
            "Optional: every item's score in one cell, such as ADL1=10;ADL2=5;… or "
            "B1.1=4;…, plus coma=1 (gbt-42195-2022), diagnoses=F00,F03.9 and care-risk "
            "events such as fall=2 where the standard takes them. The grade is then "
            "computed from them."
        ),
        width=40,
    ),
    Column(
        "assessment_org",
        "评估机构",
        help=_(
            "Name of the assessment organisation; linked when an organisation of exactly "
            "this name is on record, otherwise kept in the note."
        ),
        width=24,
    ),
    Column(
        "source_number",
        "原系统案号",
        help=_("The case number in the earlier system, kept in the note."),
        width=18,
    ),
)

COLUMNS = {
    "elders": ELDER_COLUMNS,
    "organisations": ORGANISATION_COLUMNS,
    "service_items": SERVICE_ITEM_COLUMNS,
    "assessments": ASSESSMENT_COLUMNS,
}
SHEET_TITLES = {
    "elders": "老人信息",
    "organisations": "机构信息",
    "service_items": "服务项目",
    "assessments": "评估结论",
}
FILE_STEMS = {
    "elders": "elders",
    "organisations": "organisations",
    "service_items": "service-items",
    "assessments": "assessments",
}
