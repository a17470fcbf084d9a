"""The generated city as stored: what a reader of the registry would check."""

from collections import Counter
from decimal import Decimal

from yiyang.core import crypto
from yiyang.core.pinyin import name_initials, name_pinyin
from yiyang.core.timeutils import age_on
from yiyang.demo.services import tables
from yiyang.institutions.creditcode import credit_code_validate
from yiyang.institutions.models import Organisation
from yiyang.people import idnumbers
from yiyang.people.models import Elder, Guardian, HealthProfile
from yiyang.regions.models import Region

from .conftest import AS_OF

SEED_001_CARE_HOMES = [
    # name, land area m², floor area m², beds, public/private: seed 001's table, row by row
    ("盘龙区昙华敬老院", "900", "3600", 70, "private"),
    ("盘龙区恩来敬老院", "1000", "1000", 100, "private"),
    ("盘龙区黑龙潭鸿福老年公寓", "10600", "7000", 250, "private"),
    ("盘龙区文惠老年公寓", "1200", "800", 68, "private"),
    ("盘龙区鹤湾颐年院", "19000", "5600", 160, "private"),
    ("盘龙区安盛护理养老院", "10560", "5000", 126, "private"),
    ("盘龙区万爱老年公寓", "1100", "2994.46", 250, "private"),
    ("盘龙区社会福利院", "3860", "6800", 200, "public"),
    ("滇源街道白邑敬老院", "4330", "4000", 40, "public"),
    ("阿子营街道敬老院", "6670", "4000", 108, "public"),
]


def test_the_vendored_table_of_panlong_care_homes_sums_to_1372_beds():
    rows = tables.panlong_care_homes()
    assert sum(r["beds"] for r in rows) == 1372
    assert [(r["name"], r["beds"]) for r in rows] == [
        (n, b) for n, _l, _f, b, _o in SEED_001_CARE_HOMES
    ]


def test_the_ten_panlong_care_homes_carry_seed_001_figures(small_city):
    # given a demo city
    # when we read Panlong's care homes of seed 001
    homes = {
        o.name: o
        for o in Organisation.objects.filter(
            kind=Organisation.Kind.CARE_HOME, name__in=[r[0] for r in SEED_001_CARE_HOMES]
        )
    }
    # then each has exactly the seed's figures, a valid credit code and a Panlong community
    assert len(homes) == 10
    for name, land, floor, beds, ownership in SEED_001_CARE_HOMES:
        org = homes[name]
        assert (org.land_area, org.floor_area, org.beds, org.ownership) == (
            Decimal(land),
            Decimal(floor),
            beds,
            ownership,
        ), name
        assert credit_code_validate(org.credit_code) == org.credit_code
        # civil affairs (5) registers private non-enterprise units, the establishment office
        # (1) public institutions
        assert org.credit_code[:2] == ("12" if ownership == "public" else "52")
        assert org.credit_code[2:8] == "530103"
        assert org.region_code.startswith("530103") and len(org.region_code) == 12
        assert org.has_medical_agreement
    assert sum(o.beds for o in homes.values()) == 1372
    assert homes["滇源街道白邑敬老院"].region.name == "白邑村委会"


def test_every_organisation_code_is_valid_and_unique(small_city):
    codes = list(
        Organisation.objects.exclude(credit_code=None).values_list("credit_code", flat=True)
    )
    assert len(codes) == len(set(codes)) > 600
    assert all(credit_code_validate(c) == c for c in codes)
    kinds = Counter(Organisation.objects.values_list("kind", flat=True))
    streets = Region.objects.filter(code__startswith="5301", level=Region.Level.STREET).count()
    assert kinds[Organisation.Kind.COMMUNITY_CENTRE] == streets == 150
    assert kinds[Organisation.Kind.HOME_CARE] == 42
    assert kinds[Organisation.Kind.BUREAU] == 3 + 14 * 3
    assert kinds[Organisation.Kind.ASSESSMENT] == 1
    assert kinds[Organisation.Kind.COMMUNITY_STATION] > 300
    assert kinds[Organisation.Kind.MEDICAL] > 150 + 28


def test_the_regions_of_kunming_are_loaded_when_missing(small_city):
    kunming = Region.objects.filter(code__startswith="5301")
    assert kunming.filter(level=Region.Level.DISTRICT).count() == 14
    assert kunming.filter(level=Region.Level.STREET).count() == 150
    assert kunming.filter(level=Region.Level.COMMUNITY).count() == 1738
    assert not kunming.filter(level=Region.Level.COMMUNITY, lat=None).exists()


def test_every_id_number_is_valid_unique_and_stored_as_the_services_store_it(small_city):
    # given a demo city of 600 older people
    elders = list(Elder.objects.all())
    assert len(elders) == 600
    hashes = set()
    for elder in elders:
        # when we decrypt each ID number
        number = crypto.decrypt(elder.id_number_cipher)
        parsed = idnumbers.parse(number, today=AS_OF)
        # then it is valid, matches the birth date and sex, and is hashed and masked as
        # people.services.elder_build does it
        assert (parsed.birth_date, parsed.sex) == (elder.birth_date, elder.sex)
        assert elder.id_number_hash == crypto.search_hash(number)
        assert elder.id_number_masked == idnumbers.mask(number)
        assert elder.name_pinyin == name_pinyin(elder.name)
        assert elder.name_initials == name_initials(elder.name)
        assert age_on(elder.birth_date, AS_OF) >= 60
        hashes.add(elder.id_number_hash)
    assert len(hashes) == len(elders)


def test_ages_and_sexes_are_shaped_like_a_population_over_60(small_city):
    ages = [(age_on(b, AS_OF), s) for b, s in Elder.objects.values_list("birth_date", "sex")]
    assert min(a for a, _s in ages) >= 60
    sixties = sum(1 for a, _s in ages if a < 70)
    eighty_plus = [s for a, s in ages if a >= 80]
    assert sixties > 2 * len(eighty_plus)
    assert 10 <= 100 * len(eighty_plus) / len(ages) <= 25
    assert eighty_plus.count("F") > eighty_plus.count("M")


def test_records_around_people_are_realistic(small_city):
    n = Elder.objects.count()
    with_phone = Elder.objects.exclude(phone="").count()
    with_point = Elder.objects.exclude(lat=None).count()
    assert 0.84 * n <= with_phone <= 0.95 * n  # gaps, as in real registers
    assert 0.85 * n <= with_point <= 0.96 * n
    assert 0.62 * n <= HealthProfile.objects.count() <= 0.82 * n
    assert HealthProfile.objects.filter(chronic_conditions__contains="高血压").exists()
    assert Elder.objects.filter(guardians__isnull=False).distinct().count() >= 0.72 * n
    assert Guardian.objects.filter(relation="child").exists()
    assert all(
        p.startswith(("1", "0871")) for p in Guardian.objects.values_list("phone", flat=True)
    )
    assert Elder.objects.filter(status="deceased").exclude(status_date=None).exists()
    assert not Elder.objects.filter(status_date__gt=AS_OF).exists()
    assert Elder.objects.filter(lives_alone=True).exists()
    assert Elder.objects.filter(economic_status__in=["dibao", "tekun", "low_income"]).exists()
    elder = Elder.objects.filter(living_arrangement="home").select_related("region").first()
    assert elder.address.startswith("昆明市")


def test_each_older_person_has_an_import_row_in_the_history(small_city):
    from yiyang.core.models import ChangeLog

    imports = ChangeLog.objects.filter(
        entity_type="people.elder", action="import", actor_label="demo-city"
    )
    assert imports.count() == Elder.objects.count()
    inactive = Elder.objects.exclude(status="active").count()
    assert ChangeLog.objects.filter(entity_type="people.elder", action="status").count() == inactive


def test_the_columns_follow_the_dated_facts_and_some_people_have_a_past(small_city):
    from yiyang.people.models import Fact
    from yiyang.people.tests.test_facts import columns_follow_facts

    assert columns_follow_facts() == []
    changed = Fact.objects.filter(kind="economic_status", valid_to__isnull=False)
    assert changed.exists()  # someone was 低收入 before they were 低保, or the other way
    assert Fact.objects.filter(kind="status", value="active", valid_to__isnull=False).exists()
    assert not Fact.objects.filter(valid_from__gt=AS_OF, source="recorded").exists()
