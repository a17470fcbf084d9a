import factory

from yiyang.institutions.creditcode import credit_code_with_check
from yiyang.institutions.models import Organisation


def credit_code(n: int, area6: str = "530103") -> str:
    # 5 = registered with civil affairs, 2 = private non-enterprise unit
    return credit_code_with_check(f"52{area6}MJ{n:07d}"[:17])


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试养老机构{n}")
    kind = Organisation.Kind.CARE_HOME
    ownership = Organisation.Ownership.PRIVATE
    credit_code = factory.Sequence(lambda n: credit_code(n))
    region_code = factory.LazyAttribute(lambda o: o.region.code)
    address = "测试路1号"
    beds = 50
