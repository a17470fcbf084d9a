import datetime as dt

import factory

from yiyang.core import crypto
from yiyang.core.pinyin import name_initials, name_pinyin
from yiyang.people import idnumbers
from yiyang.people.models import Elder

SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["秀英", "桂兰", "建国", "国华", "玉珍", "德明", "淑珍", "志强", "文华", "丽华"]


def id_number_for(
    n: int, area6: str = "530103", sex: str = "F", birth: dt.date = dt.date(1950, 3, 1)
) -> str:
    return idnumbers.make(
        area6=area6, birth_date=birth + dt.timedelta(days=n // 400), sequence=n, sex=sex
    )


class ElderFactory(factory.django.DjangoModelFactory):
    """Builds an elder directly; tests of elder_create go through the service instead."""

    class Meta:
        model = Elder
        exclude = ["id_number"]

    name = factory.Sequence(lambda n: SURNAMES[n % 10] + GIVEN[(n // 10) % 10])
    id_number = factory.Sequence(
        lambda n: id_number_for(n, area6="530103", sex="F" if n % 2 else "M")
    )
    id_number_cipher = factory.LazyAttribute(lambda o: crypto.encrypt(o.id_number))
    id_number_hash = factory.LazyAttribute(lambda o: crypto.search_hash(o.id_number))
    id_number_masked = factory.LazyAttribute(lambda o: idnumbers.mask(o.id_number))
    birth_date = factory.LazyAttribute(lambda o: idnumbers.parse(o.id_number).birth_date)
    sex = factory.LazyAttribute(lambda o: idnumbers.parse(o.id_number).sex)
    name_pinyin = factory.LazyAttribute(lambda o: name_pinyin(o.name))
    name_initials = factory.LazyAttribute(lambda o: name_initials(o.name))
    region_code = factory.LazyAttribute(lambda o: o.region.code)
    address = "测试路2号"
