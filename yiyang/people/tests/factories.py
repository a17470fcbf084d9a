import datetime as dt

import factory

from yiyang.core import crypto
from yiyang.core.pinyin import name_initials, name_pinyin
from yiyang.core.timeutils import local_today
from yiyang.core.validation import phone_digits
from yiyang.people import idnumbers
from yiyang.people.models import Elder, Fact
from yiyang.people.services import ElderData, facts_file_opening

SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["秀英", "桂兰", "建国", "国华", "玉珍", "德明", "淑珍", "志强", "文华", "丽华"]


def id_number_for(
    n: int, area6: str = "530103", sex: str = "F", birth: dt.date = dt.date(1950, 3, 1)
) -> str:
    return idnumbers.make(
        area6=area6, birth_date=birth + dt.timedelta(days=n // 400), sequence=n, sex=sex
    )


def elder_data(city, **overrides):
    """What an officer types to register 曾桂兰 in Panlong, with `overrides`."""
    values = {
        "name": "曾桂兰",
        "id_number": id_number_for(9001, sex="F", birth=dt.date(1948, 5, 17)),
        "region_code": city.panlong_community.code,
        "address": "拓东路 1 号",
        "phone": "13812345678",
    }
    values.update(overrides)
    return ElderData(**values)


class ElderFactory(factory.django.DjangoModelFactory):
    """Builds an elder directly; tests of elder_create go through the service instead."""

    class Meta:
        model = Elder
        exclude = ["id_number"]
        skip_postgeneration_save = True

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
    phone = ""
    phone_digits = factory.LazyAttribute(lambda o: phone_digits(o.phone))
    address = "测试路2号"

    @factory.post_generation
    def facts(obj, create, extracted, **kwargs):
        """Its first dated facts, from the day it was made, as the registry files them."""
        if create:
            facts_file_opening(obj, on=local_today(), source=Fact.Source.RECORDED, actor=None)
